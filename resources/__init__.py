"""winit_gui's package data (presets, themes, icons) lives here; installed as ``winit_gui.resources``."""
