from moc_desktop.app import main

raise SystemExit(main())
