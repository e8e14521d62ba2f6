import sys

from winit_gui.app import main

# The guard matters: the engine's child process re-imports the main module.
if __name__ == "__main__":
    sys.exit(main())
