"""The control panel: every setting of the experiment, edited as a whole Settings value.

Each edit builds a new Settings (validated by the model) and emits it; ``show_settings`` moves
the widgets to a Settings inside signal blockers, so a programmatic change never echoes back as
a user edit (napari's qt_signals_blocked habit).
"""

from __future__ import annotations

import math
from contextlib import ExitStack

from PySide6 import QtCore, QtGui, QtWidgets

from winit_gui import activations, datasets, initializers, optimizers
from winit_gui.settings import GAIN_LIMITS, GAIN_RANGE, MAX_DEPTH, MAX_WIDTH, Settings

SLIDER_STEPS_PER_DECADE = 100


class GainSlider(QtWidgets.QSlider):
    """The weight-scale slider: integer positions on a log10 scale, double-click back to 1x."""

    def __init__(self, parent=None):
        super().__init__(QtCore.Qt.Horizontal, parent)
        self.setObjectName("gainSlider")
        self.setRange(*(round(math.log10(g) * SLIDER_STEPS_PER_DECADE) for g in GAIN_RANGE))
        self.setPageStep(SLIDER_STEPS_PER_DECADE // 10)
        self.setTickPosition(QtWidgets.QSlider.TicksBelow)
        self.setTickInterval(SLIDER_STEPS_PER_DECADE)
        self.setToolTip("Weight scale: multiplies every initial weight (log scale, 0.01x to 100x).\n"
                        "Double-click to go back to 1x.")

    @staticmethod
    def gain_at(position: int) -> float:
        return 10.0 ** (position / SLIDER_STEPS_PER_DECADE)

    @staticmethod
    def position_of(gain: float) -> int:
        return round(math.log10(gain) * SLIDER_STEPS_PER_DECADE)

    def mouseDoubleClickEvent(self, event: QtGui.QMouseEvent) -> None:
        self.setValue(0)


class GainSpinBox(QtWidgets.QDoubleSpinBox):
    """The typed weight scale, over every gain a Settings takes (1e-6 to 1e6), beyond the slider's
    ends: a file's gain of 1e6 reads "1000000 x", not the slider's 100. Six decimals hold 1e-6;
    trailing zeros are left out, so 1x reads "1 x", not "1.000000 x"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gainSpin")
        self.setDecimals(6)
        self.setRange(*GAIN_LIMITS)
        self.setSuffix(" x")
        self.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


def fill_initializer_combo(combo: QtWidgets.QComboBox) -> None:
    """Every initializer, grouped under "Keras", "PyTorch" and "Data-dependent" headers; item
    data = the name."""
    model = QtGui.QStandardItemModel(combo)
    for family, title in (("keras", "Keras"), ("pytorch", "PyTorch (torch.nn.init)"), ("data", "Data-dependent")):
        header = QtGui.QStandardItem(f"— {title} —")
        header.setFlags(QtCore.Qt.NoItemFlags)
        model.appendRow(header)
        for name in initializers.available():
            if initializers.info(name).family == family:
                item = QtGui.QStandardItem(name)
                item.setData(name, QtCore.Qt.UserRole)
                item.setToolTip(initializers.info(name).summary)
                model.appendRow(item)
    combo.setModel(model)


def _hint(widget: QtWidgets.QWidget, text: str) -> QtWidgets.QWidget:
    widget.setToolTip(text)
    return widget


class ControlPanel(QtWidgets.QWidget):
    settingsEdited = QtCore.Signal(object)
    """A new, valid Settings made by the user."""
    invalidEdit = QtCore.Signal(str)
    """The user's edit was refused; the message says why (the previous settings stay)."""
    newSeedRequested = QtCore.Signal()

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self._settings = settings
        self._param_widgets: dict[str, QtWidgets.QWidget] = {}
        form = QtWidgets.QFormLayout(self)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.AllNonFixedFieldsGrow)

        self.init_combo = _hint(QtWidgets.QComboBox(objectName="initializerCombo"),
                                "Weight initializer: Keras names first, then PyTorch's torch.nn.init")
        fill_initializer_combo(self.init_combo)
        form.addRow("Initializer", self.init_combo)
        self.formula = QtWidgets.QLabel(objectName="formulaLabel", wordWrap=True)
        self.formula.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        form.addRow(self.formula)
        self.params_box = QtWidgets.QWidget()
        self.params_form = QtWidgets.QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.params_box)

        self.gain_slider = GainSlider()
        self.gain_spin = _hint(GainSpinBox(), "Weight scale (type a value, 0.000001 to 1000000)")
        gain_row = QtWidgets.QHBoxLayout()
        gain_row.addWidget(self.gain_slider, 1)
        gain_row.addWidget(self.gain_spin)
        form.addRow("Weight scale", gain_row)
        self.layer_std = QtWidgets.QLabel(objectName="layerStdLabel", wordWrap=True)
        self.layer_std.setToolTip("The initial weights' standard deviation (or limit) in each layer")
        form.addRow(self.layer_std)

        self.bias_spin = _hint(QtWidgets.QDoubleSpinBox(objectName="biasSpin"), "Initial value of every bias")
        self.bias_spin.setRange(-10, 10)
        self.bias_spin.setSingleStep(0.1)
        self.bias_spin.setDecimals(3)
        form.addRow("Bias init", self.bias_spin)

        self.activation_combo = _hint(QtWidgets.QComboBox(objectName="activationCombo"),
                                      "Nonlinearity of every hidden layer")
        for name in activations.available():
            self.activation_combo.addItem(name, name)
            self.activation_combo.setItemData(self.activation_combo.count() - 1,
                                              activations.get(name).formula, QtCore.Qt.ToolTipRole)
        form.addRow("Activation", self.activation_combo)

        self.depth_spin = _hint(QtWidgets.QSpinBox(objectName="depthSpin"), "Number of hidden layers")
        self.depth_spin.setRange(1, MAX_DEPTH)
        self.width_spin = _hint(QtWidgets.QSpinBox(objectName="widthSpin"), "Units in each hidden layer")
        self.width_spin.setRange(1, MAX_WIDTH)
        arch = QtWidgets.QHBoxLayout()
        arch.addWidget(self.depth_spin)
        arch.addWidget(QtWidgets.QLabel("layers of"))
        arch.addWidget(self.width_spin)
        form.addRow("Hidden", arch)

        self.dataset_combo = _hint(QtWidgets.QComboBox(objectName="datasetCombo"),
                                   "Data: four 2-D sets as in TensorFlow Playground, or D-dimensional normal inputs")
        for name in datasets.NAMES:
            self.dataset_combo.addItem(name, name)
        self.noise_spin = _hint(QtWidgets.QDoubleSpinBox(objectName="noiseSpin"), "Label noise of the 2-D sets")
        self.noise_spin.setRange(0, 1)
        self.noise_spin.setSingleStep(0.05)
        data_row = QtWidgets.QHBoxLayout()
        data_row.addWidget(self.dataset_combo, 1)
        data_row.addWidget(QtWidgets.QLabel("noise"))
        data_row.addWidget(self.noise_spin)
        form.addRow("Dataset", data_row)

        self.lr_spin = _hint(QtWidgets.QDoubleSpinBox(objectName="lrSpin"), "Learning rate")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(1e-4, 10)
        self.lr_spin.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
        self.batch_spin = _hint(QtWidgets.QSpinBox(objectName="batchSpin"), "Minibatch size")
        self.batch_spin.setRange(1, 4096)
        train_row = QtWidgets.QHBoxLayout()
        train_row.addWidget(self.lr_spin)
        train_row.addWidget(QtWidgets.QLabel("batch"))
        train_row.addWidget(self.batch_spin)
        form.addRow("Learning rate", train_row)
        self.optimizer_combo = _hint(QtWidgets.QComboBox(objectName="optimizerCombo"), "Optimizer")
        for name in optimizers.NAMES:
            self.optimizer_combo.addItem(name, name)
        form.addRow("Optimizer", self.optimizer_combo)

        self.seed_spin = _hint(QtWidgets.QSpinBox(objectName="seedSpin"),
                               "Random seed: the same seed replays the same initial weights and batches")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.new_seed = _hint(QtWidgets.QPushButton("New seed", objectName="newSeedButton"),
                              "Draw new initial weights (Reset replays the same ones)")
        seed_row = QtWidgets.QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.new_seed)
        form.addRow("Seed", seed_row)

        self.init_combo.currentIndexChanged.connect(self._init_changed)
        self.gain_slider.valueChanged.connect(lambda pos: self._edit(gain=GainSlider.gain_at(pos)))
        self.gain_spin.valueChanged.connect(lambda value: self._edit(gain=value))
        self.bias_spin.valueChanged.connect(lambda value: self._edit(bias_init=value))
        self.activation_combo.currentIndexChanged.connect(
            lambda _: self._edit(activation=self.activation_combo.currentData()))
        self.depth_spin.valueChanged.connect(lambda value: self._edit(depth=value))
        self.width_spin.valueChanged.connect(lambda value: self._edit(width=value))
        self.dataset_combo.currentIndexChanged.connect(
            lambda _: self._edit(dataset=self.dataset_combo.currentData()))
        self.noise_spin.valueChanged.connect(lambda value: self._edit(noise=value))
        self.lr_spin.valueChanged.connect(lambda value: self._edit(lr=value))
        self.batch_spin.valueChanged.connect(lambda value: self._edit(batch_size=value))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _: self._edit(optimizer=self.optimizer_combo.currentData()))
        self.seed_spin.valueChanged.connect(lambda value: self._edit(seed=value))
        self.new_seed.clicked.connect(self.newSeedRequested)
        for combo in self.findChildren(QtWidgets.QComboBox):
            # size combos by a few characters, not by their longest entry: the panel stays narrow
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.show_settings(settings)

    @property
    def settings(self) -> Settings:
        return self._settings

    def show_settings(self, settings: Settings) -> None:
        """Move every widget to ``settings`` without emitting edits."""
        self._settings = settings
        widgets = (self.init_combo, self.gain_slider, self.gain_spin, self.bias_spin, self.activation_combo,
                   self.depth_spin, self.width_spin, self.dataset_combo, self.noise_spin, self.lr_spin,
                   self.batch_spin, self.optimizer_combo, self.seed_spin)
        with ExitStack() as stack:
            for widget in widgets:
                stack.enter_context(QtCore.QSignalBlocker(widget))
            self.init_combo.setCurrentIndex(self.init_combo.findData(settings.init, QtCore.Qt.UserRole))
            self.gain_slider.setValue(GainSlider.position_of(min(max(settings.gain, GAIN_RANGE[0]), GAIN_RANGE[1])))
            self.gain_spin.setValue(settings.gain)
            self.bias_spin.setValue(settings.bias_init)
            self.activation_combo.setCurrentIndex(self.activation_combo.findData(settings.activation))
            self.depth_spin.setValue(settings.depth)
            self.width_spin.setValue(settings.width)
            self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(settings.dataset))
            self.noise_spin.setValue(settings.noise)
            self.lr_spin.setValue(settings.lr)
            self.batch_spin.setValue(settings.batch_size)
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(settings.optimizer))
            self.seed_spin.setValue(settings.seed)
        self.noise_spin.setEnabled(settings.dataset != "normal")
        self._build_params(settings)
        self._describe(settings)

    def _edit(self, **changes) -> None:
        try:
            settings = self._settings.replace(**changes)
        except ValueError as err:
            self.invalidEdit.emit(str(err))
            self.show_settings(self._settings)
            return
        if settings == self._settings:
            return
        # The edit goes out first: the engine computes its picture while the widgets follow it
        # here (a slider move's latency was these widgets' 1-2 ms longer the other way round).
        self._settings = settings
        self.settingsEdited.emit(settings)
        self.show_settings(settings)

    def _init_changed(self, _index: int) -> None:
        name = self.init_combo.currentData(QtCore.Qt.UserRole)
        if name:
            self._edit(init=name)

    def _build_params(self, settings: Settings) -> None:
        info = initializers.info(settings.init)
        names = tuple(p.name for p in info.params)
        if tuple(self._param_widgets) != names:
            while self.params_form.rowCount():
                self.params_form.removeRow(0)
            self._param_widgets = {p.name: self._param_widget(p) for p in info.params}
            for name, widget in self._param_widgets.items():
                self.params_form.addRow(name, widget)
        for name, widget in self._param_widgets.items():
            value = settings.init_params[name]
            with QtCore.QSignalBlocker(widget):
                if isinstance(widget, QtWidgets.QComboBox):
                    widget.setCurrentText(str(value))
                else:
                    widget.setValue(float(value))
        self.params_box.setVisible(bool(self._param_widgets))

    def _param_widget(self, param: initializers.Param) -> QtWidgets.QWidget:
        if param.choices:
            widget = QtWidgets.QComboBox(objectName=f"param_{param.name}")
            widget.addItems(list(param.choices))
            widget.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(8)
            widget.currentTextChanged.connect(lambda text, n=param.name: self._edit_param(n, text))
        else:
            widget = QtWidgets.QDoubleSpinBox(objectName=f"param_{param.name}")
            widget.setDecimals(4)
            widget.setRange(param.minimum if param.minimum is not None else -1e6, 1e6)
            widget.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
            widget.valueChanged.connect(lambda value, n=param.name: self._edit_param(n, value))
        widget.setToolTip(f"{param.name} (default {param.default})")
        return widget

    def _edit_param(self, name: str, value) -> None:
        self._edit(init_params={**self._settings.init_params, name: value})

    def _describe(self, settings: Settings) -> None:
        init = settings.initializer()
        self.formula.setText(init.info.formula)
        self.formula.setToolTip(init.info.summary)
        sizes = settings.sizes
        lines = [f"layer {i} ({a}→{b}): {init.describe(a, b)}"
                 for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1)]
        if len(lines) > 4:
            lines = lines[:2] + ["…"] + lines[-1:]
        self.layer_std.setText("\n".join(lines))
