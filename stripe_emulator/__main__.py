from stripe_emulator.server import main

raise SystemExit(main())
