from cur_analysis.cli import main

raise SystemExit(main())
