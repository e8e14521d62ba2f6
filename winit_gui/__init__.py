"""winit_gui: see how neural-network weight initialization works.

The top-level modules are the model layer (numpy only, no Qt): usable from a notebook and
testable without a screen. Everything that imports Qt lives in ``winit_gui.app``.
"""

__version__ = "0.1.0"
