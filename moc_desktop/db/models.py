"""SQLAlchemy 2 declarative models.

Every shared record carries the sync columns of :class:`Synced` (uuid, created_at, updated_at, version, origin,
deleted_at); every change to one is written to :class:`ChangeLog` in the same transaction (see ``db.changes``).
Human numbers (order numbers, protocol numbers) are attributes, never keys.
"""

from __future__ import annotations

import uuid as uuid_mod
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid_mod.uuid4())


class Base(DeclarativeBase):
    pass


class Synced:
    """Columns every shared (synchronised) record has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    origin: Mapped[str] = mapped_column(String(36), default="", nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# --- installation-local tables -------------------------------------------------------------------------------


class Setting(Base):
    """Installation settings (key/value). Local: never synchronised."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="", nullable=False)


class ChangeLog(Base):
    """Outbox: one row per insert/update/soft-delete of a shared record, ordered by ``seq`` (not by clock)."""

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    record_uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    op: Mapped[str] = mapped_column(String(8), nullable=False)  # insert | update | delete
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    __table_args__ = (Index("ix_change_log_record", "table_name", "record_uuid"),)


# --- reference data --------------------------------------------------------------------------------------------


class RefSchoolStatus(Base):
    """Kinds of school status (reference data with a version, seeded by migration)."""

    __tablename__ = "ref_school_status"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    short: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    ref_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class RefIndicator(Base):
    """School indicators per year (seed 001 monitoring, seed 003 Table 3), reference data with a version."""

    __tablename__ = "ref_indicator"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    group: Mapped[str] = mapped_column(String(40), nullable=False)  # monitoring | staff_quality
    title: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # share | count | bool | percent
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    ref_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


# --- schools ---------------------------------------------------------------------------------------------------


class School(Synced, Base):
    __tablename__ = "school"

    short_name: Mapped[str] = mapped_column(String(200), nullable=False)
    full_name: Mapped[str] = mapped_column(Text, default="", nullable=False)
    honorific: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    settlement: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    address: Mapped[str] = mapped_column(Text, default="", nullable=False)
    director_post: Mapped[str] = mapped_column(String(100), default="директор", nullable=False)
    director_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    phone: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    email: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    website: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    pupils_noo: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pupils_ooo: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pupils_soo: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_rural: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_small: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    statuses: Mapped[list[SchoolStatus]] = relationship(back_populates="school", cascade="all, delete-orphan")
    indicators: Mapped[list[SchoolIndicator]] = relationship(
        back_populates="school", cascade="all, delete-orphan"
    )
    ior: Mapped[list[SchoolIor]] = relationship(back_populates="school", cascade="all, delete-orphan")
    swot: Mapped[list[SwotItem]] = relationship(back_populates="school", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_school_short_name", "short_name"),)


class SchoolStatus(Synced, Base):
    """A status of a school in one school year, with the order that set it."""

    __tablename__ = "school_status"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    school_year: Mapped[str] = mapped_column(String(9), nullable=False)  # «2024/2025»
    status_code: Mapped[str] = mapped_column(ForeignKey("ref_school_status.code"), nullable=False)
    sub_label: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    order_number: Mapped[str] = mapped_column(String(50), default="", nullable=False)
    order_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    school: Mapped[School] = relationship(back_populates="statuses")

    __table_args__ = (Index("ix_school_status_year", "school_year", "status_code"),)


class SchoolIndicator(Synced, Base):
    """Value of one indicator of a school in one school year."""

    __tablename__ = "school_indicator"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    school_year: Mapped[str] = mapped_column(String(9), nullable=False)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("ref_indicator.code"), nullable=False)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)

    school: Mapped[School] = relationship(back_populates="indicators")

    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "indicator_code", name="uq_school_indicator"),
    )


class SchoolIor(Synced, Base):
    """Regional index of educational results (ИОР) of a school for a calendar year (seed 003, Table 2)."""

    __tablename__ = "school_ior"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)

    school: Mapped[School] = relationship(back_populates="ior")

    __table_args__ = (UniqueConstraint("school_id", "year", name="uq_school_ior"),)


class SwotItem(Synced, Base):
    """One statement of a school's SWOT (seed 003, Tables 13–16)."""

    __tablename__ = "swot_item"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    school_year: Mapped[str] = mapped_column(String(9), default="", nullable=False)
    quadrant: Mapped[str] = mapped_column(
        String(16), nullable=False
    )  # strengths|weaknesses|opportunities|threats
    text: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    school: Mapped[School] = relationship(back_populates="swot")


# --- staff -----------------------------------------------------------------------------------------------------


class Person(Synced, Base):
    """A pedagogical worker (педагогический работник)."""

    __tablename__ = "person"

    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    middle_name: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    positions: Mapped[str] = mapped_column(Text, default="", nullable=False)  # «; »-separated
    subjects: Mapped[str] = mapped_column(Text, default="", nullable=False)  # «; »-separated
    education: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    category: Mapped[str] = mapped_column(String(30), default="", nullable=False)
    category_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    experience_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    young_specialist: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None: computed from стаж
    phone: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    email: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # documents: gender is stored, never guessed (names are declined with it); manual case forms win
    gender: Mapped[str] = mapped_column(String(1), default="", nullable=False)  # f | m | ""
    name_gen: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    name_dat: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    name_acc: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    doc_post: Mapped[str] = mapped_column(
        String(300), default="", nullable=False
    )  # post as written in documents
    post_gen: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    post_dat: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    post_acc: Mapped[str] = mapped_column(String(300), default="", nullable=False)

    school: Mapped[School | None] = relationship()
    moves: Mapped[list[StaffMove]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="StaffMove.date_from"
    )
    courses: Mapped[list[Course]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Course.date_to"
    )

    __table_args__ = (
        Index("ix_person_name", "last_name", "first_name", "middle_name"),
        Index("ix_person_school", "school_id"),
    )


class StaffMove(Synced, Base):
    """History of a person's work places: one row per school (and position) with its period."""

    __tablename__ = "staff_move"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    position: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    person: Mapped[Person] = relationship(back_populates="moves")
    school: Mapped[School | None] = relationship()

    __table_args__ = (Index("ix_staff_move_person", "person_id"),)


class Course(Synced, Base):
    """Professional-development course (КПК) of a person."""

    __tablename__ = "course"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    provider: Mapped[str] = mapped_column(String(300), default="", nullable=False)

    person: Mapped[Person] = relationship(back_populates="courses")

    __table_args__ = (Index("ix_course_person", "person_id"),)


# --- documents -------------------------------------------------------------------------------------------------


class DocCounter(Base):
    """Last number issued per register and calendar year. Incremented as the first write of the registering
    transaction, so concurrent saves wait for each other and never get the same number. Local (not synced)."""

    __tablename__ = "doc_counter"
    scope: Mapped[str] = mapped_column(
        String(200), primary_key=True
    )  # «order», «protocol:Методический совет»
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class OrderDoc(Synced, Base):
    """An order (приказ) of the register. Structured parts (basis, items, appendices …) are JSON: the order is
    one aggregate, versioned and synchronised as a whole. ``number`` is given when the order is signed."""

    __tablename__ = "order_doc"

    reg_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    suffix: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    date: Mapped[date | None] = mapped_column(Date, nullable=True)
    title: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(
        String(12), default="draft", nullable=False
    )  # draft | signed | cancelled
    template: Mapped[str] = mapped_column(
        String(60), default="", nullable=False
    )  # typical order it came from
    basis: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    preamble: Mapped[str] = mapped_column(Text, default="", nullable=False)
    items: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    control: Mapped[str] = mapped_column(Text, default="{}", nullable=False)
    signatory_post: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    signatory_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    executor: Mapped[str] = mapped_column(Text, default="{}", nullable=False)
    appendices: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    acquaintance: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    approvals: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    qr: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    cancel_note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    __table_args__ = (
        UniqueConstraint("reg_year", "number", name="uq_order_number"),
        Index("ix_order_date", "date"),
    )


class Protocol(Synced, Base):
    """Protocol of a meeting (совет, методический совет, УМО, рабочая группа); numbered within the year per body."""

    __tablename__ = "protocol"

    body: Mapped[str] = mapped_column(String(200), nullable=False)  # «Методический совет»
    reg_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    date: Mapped[date | None] = mapped_column(Date, nullable=True)
    place: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    title: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="draft", nullable=False)  # draft | signed
    chair: Mapped[str] = mapped_column(Text, default="{}", nullable=False)
    secretary: Mapped[str] = mapped_column(Text, default="{}", nullable=False)
    attendees: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    members_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    invited: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    agenda: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    approvals: Mapped[str] = mapped_column(Text, default="[]", nullable=False)

    __table_args__ = (
        UniqueConstraint("body", "reg_year", "number", name="uq_protocol_number"),
        Index("ix_protocol_date", "date"),
    )


# --- competence diagnostics («5 К», seed 003 Приложения 2–3) ---------------------------------------------------


class RefCardTemplate(Base):
    """A version of the diagnostic card (reference data): cards keep the version they were filled on."""

    __tablename__ = "ref_card_template"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(Text, default="", nullable=False)
    instruction: Mapped[str] = mapped_column(Text, default="", nullable=False)


class RefCompetence(Base):
    __tablename__ = "ref_competence"
    template_version: Mapped[int] = mapped_column(ForeignKey("ref_card_template.version"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1..5
    title: Mapped[str] = mapped_column(Text, nullable=False)
    short: Mapped[str] = mapped_column(String(60), nullable=False)
    definition: Mapped[str] = mapped_column(Text, default="", nullable=False)  # тезаурус


class RefCriterion(Base):
    __tablename__ = "ref_criterion"
    template_version: Mapped[int] = mapped_column(ForeignKey("ref_card_template.version"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # «1.1» … «5.5»
    competence: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # order on the card, 0-based
    title: Mapped[str] = mapped_column(Text, nullable=False)


class DiagCampaign(Synced, Base):
    """A diagnostic campaign: one stage (входная / промежуточная / итоговая) in a school year."""

    __tablename__ = "diag_campaign"

    title: Mapped[str] = mapped_column(Text, nullable=False)
    school_year: Mapped[str] = mapped_column(String(9), nullable=False)
    stage: Mapped[str] = mapped_column(String(10), nullable=False)  # entry | interim | final
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    template_version: Mapped[int] = mapped_column(ForeignKey("ref_card_template.version"), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_doc.id"), nullable=True)  # basis order
    basis: Mapped[str] = mapped_column(
        Text, default="", nullable=False
    )  # basis as text when not in the register
    school_ids: Mapped[str] = mapped_column(Text, default="[]", nullable=False)  # JSON list of school ids
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)


class DiagCard(Synced, Base):
    """A teacher's card in a campaign. ``scores`` is compact: for each criterion in card order, three characters
    (self, ШМО, deputy) of «0», «1», «2» or «-» (blank). The percentages are derived on save (``diagnostics``
    scoring) so summaries are plain SQL over thousands of cards."""

    __tablename__ = "diag_card"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("diag_campaign.id"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id"), nullable=True
    )  # at the time of the card
    template_version: Mapped[int] = mapped_column(ForeignKey("ref_card_template.version"), nullable=False)
    scores: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    raters: Mapped[str] = mapped_column(String(3), default="", nullable=False)  # raters with any score: «SHD»
    complete: Mapped[bool] = mapped_column(
        Boolean, default=False, nullable=False
    )  # every rater filled every line
    pct: Mapped[float | None] = mapped_column(Float, nullable=True)  # combined, overall
    pct1: Mapped[float | None] = mapped_column(Float, nullable=True)  # combined, per competence
    pct2: Mapped[float | None] = mapped_column(Float, nullable=True)
    pct3: Mapped[float | None] = mapped_column(Float, nullable=True)
    pct4: Mapped[float | None] = mapped_column(Float, nullable=True)
    pct5: Mapped[float | None] = mapped_column(Float, nullable=True)
    pct_self: Mapped[float | None] = mapped_column(Float, nullable=True)
    pct_external: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id", name="uq_card_person"),
        Index("ix_card_school", "campaign_id", "school_id"),
    )


# --- mentoring (целевая модель наставничества; seed 003 Table 1) ------------------------------------------------


class RefMentoringForm(Base):
    """Forms of mentoring (reference data with a version): «учитель – учитель», «педагог – молодой специалист» …"""

    __tablename__ = "ref_mentoring_form"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    ref_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class SchoolPartnership(Synced, Base):
    """A school-«наставник» ↔ a supported school (ШНОР/ШНСУ), with the agreement and a joint roadmap (JSON list of
    {what, when, who, expected, status})."""

    __tablename__ = "school_partnership"

    mentor_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    mentee_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), nullable=False)
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_doc.id"), nullable=True)
    agreement_kind: Mapped[str] = mapped_column(
        String(200), default="Соглашение о сетевом взаимодействии", nullable=False
    )
    agreement_number: Mapped[str] = mapped_column(String(50), default="", nullable=False)
    agreement_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    agreement_file: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(
        String(12), default="active", nullable=False
    )  # active|completed|terminated
    roadmap: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    __table_args__ = (Index("ix_partnership_schools", "mentor_school_id", "mentee_school_id"),)


class PartnershipEvent(Synced, Base):
    """An interaction of partner schools: консультация, семинар, «выездной Методический день» …"""

    __tablename__ = "partnership_event"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("school_partnership.id"), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    format: Mapped[str] = mapped_column(String(100), nullable=False)
    topic: Mapped[str] = mapped_column(Text, default="", nullable=False)
    participants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="", nullable=False)

    __table_args__ = (Index("ix_partnership_event", "partnership_id", "date"),)


class MentorPair(Synced, Base):
    """A mentor and a mentee (or a group: ``mentee_ids`` JSON list of person ids). ``plan`` = the individual
    development plan: JSON list of {task, deadline, status, criterion} (criterion = a diagnostic deficit code)."""

    __tablename__ = "mentor_pair"

    form_code: Mapped[str] = mapped_column(ForeignKey("ref_mentoring_form.code"), nullable=False)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False)
    mentee_ids: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    status: Mapped[str] = mapped_column(
        String(12), default="draft", nullable=False
    )  # draft|active|completed|terminated
    status_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    goal: Mapped[str] = mapped_column(Text, default="", nullable=False)
    plan: Mapped[str] = mapped_column(Text, default="[]", nullable=False)
    evaluation: Mapped[str] = mapped_column(Text, default="", nullable=False)  # final conclusion
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_doc.id"), nullable=True)

    __table_args__ = (Index("ix_mentor_pair_mentor", "mentor_id", "status"),)


class MentorMeeting(Synced, Base):
    __tablename__ = "mentor_meeting"

    pair_id: Mapped[int] = mapped_column(ForeignKey("mentor_pair.id"), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    duration_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    form: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    topic: Mapped[str] = mapped_column(Text, default="", nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the mentee's rating, 1..5

    __table_args__ = (Index("ix_mentor_meeting_pair", "pair_id", "date"),)


# --- users, psychologist's journal, audit (installation-local: never synchronised) -------------------------------
#
# A column with ``info={"confidential": True}`` is written to the audit log as «изменено» only, never its value.

CONFIDENTIAL = {"confidential": True}


class AppUser(Base):
    """A local account. ``role``: admin | head | methodist | psychologist (titles in ``services.auth.ROLES``)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid, nullable=False)
    login: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    post: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False, info=CONFIDENTIAL)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class PsychKey(Base):
    """The journal's data key wrapped (AES-GCM) by a key derived from a psychologist's password (``user_id``) or
    from the recovery key printed once at set-up (``kind='recovery'``, no user)."""

    __tablename__ = "psych_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # password | recovery
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True, unique=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=CONFIDENTIAL)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, info=CONFIDENTIAL)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class PsychClient(Base):
    """The code ↔ person table of the psychologist: the code is the pseudonym used in the journal; who is behind it
    (name, birth date, contacts, note) is one encrypted JSON document."""

    __tablename__ = "psych_client"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid, nullable=False)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    category: Mapped[str] = mapped_column(String(16), default="pupil", nullable=False)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=CONFIDENTIAL)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PsychSession(Base):
    """One entry of the psychologist's journal (DOMAIN «Psychologist»). The facts used for counting are plain; the
    request, result, recommendations and notes are encrypted (``*_enc``, AES-GCM bound to uuid and field)."""

    __tablename__ = "psych_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid, nullable=False)
    psychologist_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    start_time: Mapped[str] = mapped_column(String(5), default="", nullable=False)  # «ЧЧ:ММ» or empty
    duration_min: Mapped[int] = mapped_column(Integer, default=45, nullable=False)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    client_category: Mapped[str] = mapped_column(String(16), nullable=False)  # pupil|parent|teacher|admin
    client_class: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    client_code: Mapped[str] = mapped_column(String(32), default="", nullable=False)
    form: Mapped[str] = mapped_column(String(12), default="individual", nullable=False)  # individual|group
    group_size: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    request_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=CONFIDENTIAL)
    result_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=CONFIDENTIAL)
    recommendations_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=CONFIDENTIAL)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, info=CONFIDENTIAL)
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_psych_session_held_on", "held_on"),
        Index("ix_psych_session_code", "client_code"),
        Index("ix_psych_session_school", "school_id", "held_on"),
    )


class AuditLog(Base):
    """Who changed what and when, and who opened a confidential record. Ordered by ``seq``.

    ``action``: create | update | delete | open | login | login_failed | logout | lock | password | export | …;
    for a confidential field ``old_value``/``new_value`` stay empty and ``note`` says «изменено»."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    user_login: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    user_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    entity: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    record_uuid: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    field: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_record", "entity", "record_uuid"),
        Index("ix_audit_log_user", "user_login"),
    )


#: Tables that hold the psychologist's confidential data: they never enter a sync package or a change log.
CONFIDENTIAL_TABLES = frozenset({"psych_key", "psych_client", "psych_session"})


SYNCED_MODELS: tuple[type[Synced], ...] = (
    School,
    SchoolStatus,
    SchoolIndicator,
    SchoolIor,
    SwotItem,
    Person,
    StaffMove,
    Course,
    OrderDoc,
    Protocol,
    DiagCampaign,
    DiagCard,
    SchoolPartnership,
    PartnershipEvent,
    MentorPair,
    MentorMeeting,
)
