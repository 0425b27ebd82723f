"""Users, roles, login and the keys of the psychologist's journal.

* Local accounts (:class:`AppUser`): login (Latin, stored lower-case), ФИО, post, role; passwords hashed with
  Argon2id (argon2-cffi). Roles and what each may do: :data:`ROLES`, :data:`PERMISSIONS`; every service that
  guards data calls :func:`require` — hiding a button is not the protection.
* Login (:func:`authenticate`): a wrong password counts a failure; from the :data:`LOCKOUT_AFTER`-th failure in a
  row the account is locked for a delay that doubles with each further failure (30 s, 1 min, 2 min … 15 min).
  Every attempt is written to the audit log.
* The journal's data key (``services.vault``) is wrapped by each psychologist's password and by a recovery key
  shown once when the first psychologist account is made. The :class:`Principal` of a logged-in psychologist
  carries the unwrapped key in memory; it is dropped on logout and on the idle lock.
  A psychologist whose password was reset by the administrator (or added after the first one) opens the journal
  once with the recovery key (:func:`grant_journal_access`).
* Settings: ``auth.autologin`` (login of one non-psychologist account entered without the login dialog on a
  single-user PC) and ``auth.idle_minutes`` (lock after that many idle minutes, 0 — never).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import AppUser, PsychKey, utcnow
from moc_desktop.services import settings, vault
from moc_desktop.services.common import ValidationError

#: role code → title shown to people.
ROLES: dict[str, str] = {
    "admin": "администратор",
    "head": "руководитель МОЦ",
    "methodist": "методист",
    "psychologist": "педагог-психолог",
}
#: What each permission allows and which roles hold it.
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "psych.journal": (
        "журнал педагога-психолога (записи, коды клиентов, история клиента)",
        frozenset({"psychologist"}),
    ),
    "psych.aggregates": ("сводные показатели работы психолога", frozenset(ROLES)),
    "users.manage": ("управление пользователями", frozenset({"admin"})),
    "audit.view": ("журнал аудита", frozenset({"admin"})),
}
LOCKOUT_AFTER = 5
LOCKOUT_FIRST_SECONDS = 30
LOCKOUT_MAX_SECONDS = 15 * 60
MIN_PASSWORD = 8
DEFAULT_IDLE_MINUTES = 15
SETTING_AUTOLOGIN = "auth.autologin"
SETTING_IDLE = "auth.idle_minutes"
_LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()


class AuthError(Exception):
    """A refusal with a Russian message for the person at the keyboard."""


class AccessDenied(AuthError):
    pass


class LoginRefused(AuthError):
    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is working. ``journal_key`` (psychologist only) opens the encrypted journal; never printed."""

    user_id: int
    login: str
    full_name: str
    role: str
    post: str = ""
    must_change_password: bool = False
    journal_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def role_title(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def display(self) -> str:
        return f"{self.full_name or self.login} ({self.role_title})"

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission][1]

    def without_key(self) -> Principal:
        return replace(self, journal_key=None)


def require(user: Principal | None, permission: str) -> Principal:
    """The user, if the role holds ``permission``; otherwise :class:`AccessDenied` with a Russian reason."""
    what, roles = PERMISSIONS[permission]
    if user is None:
        raise AccessDenied(f"Войдите в программу: раздел «{what}» открывается только после входа.")
    if user.role not in roles:
        allowed = ", ".join(f"«{ROLES[r]}»" for r in ROLES if r in roles)
        raise AccessDenied(f"Недостаточно прав: {what} — только для роли {allowed}.")
    return user


def role_code(text: str) -> str:
    """A role by code («psychologist») or by its Russian title, any case («Педагог-психолог»)."""
    t = text.strip().lower().replace("ё", "е")
    for code, title in ROLES.items():
        if t in (code, title.replace("ё", "е"), title.split()[0]):
            return code
    raise ValidationError({"role": "Неизвестная роль «" + text + "». Допустимо: " + ", ".join(ROLES) + "."})


# --- accounts --------------------------------------------------------------------------------------------------


def password_problems(password: str, login: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"Пароль должен быть не короче {MIN_PASSWORD} символов.")
    if login and password.strip().lower() == login.strip().lower():
        problems.append("Пароль не должен совпадать с логином.")
    if password and password.strip() != password:
        problems.append("Пароль не должен начинаться или заканчиваться пробелом.")
    return problems


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(AppUser)))


def has_admin(session: Session) -> bool:
    """An active administrator exists; until then the program asks to create one (first run)."""
    q = select(func.count()).select_from(AppUser).where(AppUser.role == "admin", AppUser.active.is_(True))
    return bool(session.scalar(q))


def get_user(session: Session, login: str) -> AppUser | None:
    return session.scalar(select(AppUser).where(AppUser.login == login.strip().lower()))


def list_users(session: Session) -> list[AppUser]:
    return list(session.scalars(select(AppUser).order_by(AppUser.full_name, AppUser.login)))


def journal_is_set_up(session: Session) -> bool:
    """The journal's data key exists (the first psychologist account was made)."""
    return session.scalar(select(func.count()).select_from(PsychKey)) > 0


@dataclass
class NewUser:
    user: AppUser
    #: Shown once, when this account created the journal's key (the first psychologist); else ``None``.
    recovery_key: str | None = None


def create_user(
    session: Session,
    login: str,
    full_name: str,
    role: str,
    password: str,
    post: str = "",
    must_change_password: bool = False,
    recovery_key: str | None = None,
) -> NewUser:
    """Create an account. For the first psychologist this also creates the journal's data key and returns the
    recovery key to show once. A later psychologist gets access when ``recovery_key`` is given now, or later
    through :func:`grant_journal_access`."""
    login_n = login.strip().lower()
    errors: dict[str, str] = {}
    if not _LOGIN_RE.match(login_n):
        errors["login"] = (
            "Логин — от 2 до 64 латинских букв, цифр и знаков «.», «_», «-»; начинается с буквы или цифры."
        )
    elif get_user(session, login_n) is not None:
        errors["login"] = f"Пользователь «{login_n}» уже есть."
    if not full_name.strip():
        errors["full_name"] = "Укажите ФИО пользователя."
    if role not in ROLES:
        errors["role"] = "Неизвестная роль «" + role + "»."
    problems = password_problems(password, login_n)
    if problems:
        errors["password"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)
    user = AppUser(
        login=login_n,
        full_name=" ".join(full_name.split()),
        post=post.strip(),
        role=role,
        password_hash=_hasher.hash(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    shown: str | None = None
    if role == "psychologist":
        if not journal_is_set_up(session):
            data_key = vault.new_data_key()
            shown = vault.new_recovery_key()
            _store_wrap(session, None, shown, data_key)
            _store_wrap(session, user.id, password, data_key)
        elif recovery_key:
            data_key = _unwrap_recovery(session, recovery_key)
            _store_wrap(session, user.id, password, data_key)
    return NewUser(user, shown)


def update_user(
    session: Session, admin: Principal, login: str, *, full_name: str, post: str, role: str, active: bool
) -> AppUser:
    """Change an account's ФИО, post, role, activity (administrator). Leaving the psychologist role removes the
    account's journal key; an administrator cannot demote or deactivate themself."""
    require(admin, "users.manage")
    user = _existing(session, login)
    errors = {}
    if not full_name.strip():
        errors["full_name"] = "Укажите ФИО пользователя."
    if role not in ROLES:
        errors["role"] = "Неизвестная роль «" + role + "»."
    if user.id == admin.user_id and (role != "admin" or not active):
        errors["role"] = "Нельзя снять с себя роль администратора или отключить свою учётную запись."
    if errors:
        raise ValidationError(errors)
    if user.role == "psychologist" and role != "psychologist":
        _drop_wrap(session, user.id)
    user.full_name, user.post, user.role, user.active = (
        " ".join(full_name.split()),
        post.strip(),
        role,
        active,
    )
    return user


def _existing(session: Session, login: str) -> AppUser:
    user = get_user(session, login)
    if user is None:
        raise AuthError(f"Пользователь «{login}» не найден.")
    return user


def _store_wrap(session: Session, user_id: int | None, secret: str, data_key: bytes) -> None:
    if user_id is None:
        for old in session.scalars(select(PsychKey).where(PsychKey.kind == "recovery")):
            session.delete(old)
        secret = vault.normalize_recovery_key(secret)
    else:
        _drop_wrap(session, user_id)
    session.flush()
    salt, wrapped = vault.wrap_key(secret, data_key)
    session.add(
        PsychKey(
            kind="recovery" if user_id is None else "password", user_id=user_id, salt=salt, wrapped=wrapped
        )
    )
    session.flush()


def _drop_wrap(session: Session, user_id: int) -> None:
    for old in session.scalars(select(PsychKey).where(PsychKey.user_id == user_id)):
        session.delete(old)


def _unwrap_recovery(session: Session, recovery_key: str) -> bytes:
    row = session.scalar(select(PsychKey).where(PsychKey.kind == "recovery"))
    if row is None:
        raise AuthError("Журнал психолога ещё не создан: ключ восстановления не нужен.")
    try:
        return vault.unwrap_key(vault.normalize_recovery_key(recovery_key), row.salt, row.wrapped)
    except vault.WrongKey as exc:
        raise AuthError(
            "Ключ восстановления не подходит. Проверьте, что он введён полностью и без ошибок."
        ) from exc


def _principal(user: AppUser, journal_key: bytes | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        login=user.login,
        full_name=user.full_name,
        role=user.role,
        post=user.post,
        must_change_password=user.must_change_password,
        journal_key=journal_key,
    )


def _lock_seconds(failures: int) -> int:
    """Delay after ``failures`` wrong passwords in a row: none before :data:`LOCKOUT_AFTER`, then 30 s doubling
    per further failure, at most 15 minutes."""
    if failures < LOCKOUT_AFTER:
        return 0
    return min(LOCKOUT_FIRST_SECONDS * 2 ** (failures - LOCKOUT_AFTER), LOCKOUT_MAX_SECONDS)


def authenticate(session: Session, login: str, password: str, now: datetime | None = None) -> Principal:
    """Check the password; :class:`LoginRefused` (Russian message, ``retry_after`` seconds when locked).

    A refusal commits the session before raising, so the failure counter, the lockout and the audit row are kept
    even though the caller's unit of work then rolls back; on success the caller commits."""
    now = now or utcnow()
    login_n = login.strip().lower()
    user = get_user(session, login_n)
    who = {"actor_login": login_n, "actor_name": user.full_name if user else ""}
    session.info.update(who)
    if user is None or not user.active:
        write_audit(session, "login_failed", "app_user", login_n, "неизвестный или отключённый пользователь")
        session.commit()
        raise LoginRefused("Неверный логин или пароль.")
    if user.locked_until is not None and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        write_audit(
            session, "login_failed", "app_user", user.uuid, "вход заблокирован после неудачных попыток"
        )
        session.commit()
        raise LoginRefused(
            f"Слишком много неудачных попыток. Повторите вход через {_seconds_text(wait)}.", wait
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_attempts += 1
        delay = _lock_seconds(user.failed_attempts)
        user.locked_until = now + timedelta(seconds=delay) if delay else None
        write_audit(
            session,
            "login_failed",
            "app_user",
            user.uuid,
            f"неверный пароль (попытка {user.failed_attempts})",
        )
        session.commit()
        if delay:
            raise LoginRefused(
                f"Неверный пароль. Вход заблокирован на {_seconds_text(delay)}.", delay
            ) from None
        # the same words as for an unknown login: the refusal must not tell which logins exist
        raise LoginRefused("Неверный логин или пароль.") from None
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    key = _user_journal_key(session, user, password)
    write_audit(session, "login", "app_user", user.uuid)
    return _principal(user, key)


def _user_journal_key(session: Session, user: AppUser, password: str) -> bytes | None:
    if user.role != "psychologist":
        return None
    row = session.scalar(select(PsychKey).where(PsychKey.user_id == user.id))
    if row is None:
        return None
    try:
        return vault.unwrap_key(password, row.salt, row.wrapped)
    except vault.WrongKey:
        return None


def _seconds_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} с"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} мин" + (f" {rest} с" if rest else "")


def needs_journal_access(session: Session, user: Principal) -> bool:
    """A psychologist without the journal key in hand: the journal exists but this account cannot open it yet
    (added after the first psychologist, or password reset by the administrator)."""
    return user.role == "psychologist" and user.journal_key is None and journal_is_set_up(session)


def grant_journal_access(session: Session, user: Principal, password: str, recovery_key: str) -> Principal:
    """Open the journal with the recovery key and wrap its key by the user's password from now on."""
    if user.role != "psychologist":
        raise AccessDenied("Журнал психолога доступен только роли «педагог-психолог».")
    account = _existing(session, user.login)
    try:
        _hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthError("Неверный пароль.") from None
    data_key = _unwrap_recovery(session, recovery_key)
    _store_wrap(session, account.id, password, data_key)
    write_audit(session, "key", "app_user", account.uuid, "доступ к журналу открыт ключом восстановления")
    return replace(user, journal_key=data_key)


def new_recovery_key(session: Session, user: Principal) -> str:
    """Replace the recovery key (the old one stops working); needs a psychologist with the journal open."""
    require(user, "psych.journal")
    if user.journal_key is None:
        raise AccessDenied("Журнал не открыт: войдите паролем психолога.")
    key = vault.new_recovery_key()
    _store_wrap(session, None, key, user.journal_key)
    write_audit(session, "key", "psych_key", "", "выпущен новый ключ восстановления")
    return key


def change_password(session: Session, user: Principal, old: str, new: str) -> Principal:
    """Change one's own password (the old one is required); a psychologist's journal key is re-wrapped."""
    account = _existing(session, user.login)
    try:
        _hasher.verify(account.password_hash, old)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise ValidationError({"old": "Текущий пароль введён неверно."}) from None
    problems = password_problems(new, account.login)
    if new == old:
        problems.append("Новый пароль должен отличаться от текущего.")
    if problems:
        raise ValidationError({"new": " ".join(problems)})
    account.password_hash = _hasher.hash(new)
    account.must_change_password = False
    key = user.journal_key
    if account.role == "psychologist":
        key = key or _user_journal_key(session, account, old)
        if key is not None:
            _store_wrap(session, account.id, new, key)
    write_audit(session, "password", "app_user", account.uuid, "пароль изменён владельцем")
    return replace(user, must_change_password=False, journal_key=key)


def reset_password(session: Session, admin: Principal, login: str, new: str) -> None:
    """Administrator sets a temporary password (to be changed at the next login) and lifts a lockout. The
    administrator cannot read the journal: a psychologist then reopens it once with the recovery key."""
    require(admin, "users.manage")
    account = _existing(session, login)
    problems = password_problems(new, account.login)
    if problems:
        raise ValidationError({"password": " ".join(problems)})
    account.password_hash = _hasher.hash(new)
    account.must_change_password = True
    account.failed_attempts = 0
    account.locked_until = None
    _drop_wrap(session, account.id)
    write_audit(session, "password", "app_user", account.uuid, "пароль сброшен администратором")


def unlock_account(session: Session, admin: Principal, login: str) -> None:
    require(admin, "users.manage")
    account = _existing(session, login)
    account.failed_attempts = 0
    account.locked_until = None


# --- settings of the login -------------------------------------------------------------------------------------


def _setting(session: Session, key: str) -> str:
    return settings.get(session, key)


_put_setting = settings.put_local


def idle_minutes(session: Session) -> int:
    try:
        return max(0, int(_setting(session, SETTING_IDLE) or DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES


def set_idle_minutes(session: Session, admin: Principal, minutes: int) -> None:
    require(admin, "users.manage")
    if not 0 <= minutes <= 24 * 60:
        raise ValidationError({"idle": "Время блокировки — от 0 (не блокировать) до 1440 минут."})
    _put_setting(session, SETTING_IDLE, str(minutes))


def autologin_login(session: Session) -> str:
    return _setting(session, SETTING_AUTOLOGIN)


def set_autologin(session: Session, admin: Principal, login: str | None) -> None:
    """Enter one account without the login dialog (a single-user PC). Never a psychologist's: the journal must
    not open by itself."""
    require(admin, "users.manage")
    if login:
        account = _existing(session, login)
        if account.role == "psychologist":
            raise ValidationError(
                {"autologin": "Автоматический вход недоступен для учётной записи психолога."}
            )
        if not account.active:
            raise ValidationError({"autologin": "Учётная запись отключена."})
        login = account.login
    _put_setting(session, SETTING_AUTOLOGIN, login or "")


def autologin(session: Session) -> Principal | None:
    """The principal of the automatic-login account, if set and still allowed; ``None`` → show the login dialog."""
    login = autologin_login(session)
    if not login:
        return None
    account = get_user(session, login)
    if (
        account is None
        or not account.active
        or account.role == "psychologist"
        or account.must_change_password
    ):
        return None
    session.info.update({"actor_login": account.login, "actor_name": account.full_name})
    write_audit(session, "login", "app_user", account.uuid, "автоматический вход")
    account.last_login_at = utcnow()
    return _principal(account)


def bind_actor(factory: sessionmaker[Session], user: Principal | None) -> None:
    """From now on every session of ``factory`` writes ``user`` into the audit log."""
    info = factory.kw.setdefault("info", {})
    info["actor_login"] = user.login if user else ""
    info["actor_name"] = user.full_name if user else ""


def log_out(session: Session, user: Principal, reason: str = "") -> None:
    account = get_user(session, user.login)
    write_audit(session, "logout", "app_user", account.uuid if account else user.login, reason)
