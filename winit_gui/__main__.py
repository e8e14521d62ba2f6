import sys

from winit_gui.app import main

sys.exit(main())
