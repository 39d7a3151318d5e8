from platform_emulator.server import main

raise SystemExit(main())
