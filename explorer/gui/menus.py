"""The window's actions, menus and toolbar: what each command is called, its shortcut,
icon and tip, and which window method it triggers."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QProgressBar, QStyle, QToolButton

from explorer.gui.estimator_picker import EstimatorPicker

if TYPE_CHECKING:
    from explorer.gui.main_window import MainWindow

def build_actions(win: MainWindow) -> None:
    style = win.style()
    sp = QStyle.StandardPixmap

    def action(text: str, slot: Any, shortcut: Any = None, icon: Any = None,
               tip: str = "") -> QAction:
        act = QAction(text, win)
        if icon is not None:
            act.setIcon(style.standardIcon(icon))
        if shortcut is not None:
            act.setShortcut(shortcut)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    win.open_action = action("&Open network…", win.open_network_dialog,
                             QKeySequence.StandardKey.Open, sp.SP_DialogOpenButton,
                             "Open an ONNX file (Ctrl+O); you can also drop one on the window")
    win.open_arch_action = action("Open accelerator &YAML…", win.open_accelerator_dialog,
                                  None, sp.SP_DirOpenIcon,
                                  "Load an accelerator description from a YAML file")
    win.save_arch_action = action("&Save accelerator", win.save_accelerator,
                                  QKeySequence.StandardKey.Save, sp.SP_DialogSaveButton,
                                  "Save the edited accelerator as YAML (Ctrl+S)")
    win.save_arch_as_action = action("Save accelerator &as…", win.save_accelerator_as,
                                     QKeySequence("Ctrl+Shift+S"), None,
                                     "Save the edited accelerator to a new YAML file")
    win.export_action = action("&Export estimate…", win.export_estimate_dialog,
                               QKeySequence("Ctrl+E"), sp.SP_DialogSaveButton,
                               "Save the estimate as a PDF or HTML report, CSV or JSON "
                               "(Ctrl+E)")
    win.export_plot_action = action("Export &plot…", win.export_plot_dialog,
                                    QKeySequence("Ctrl+Shift+E"), None,
                                    "Save the plots of the current tab with a title: SVG or "
                                    "PDF (vector, for papers) or PNG")
    for act in (win.export_action, win.export_plot_action):
        act.setEnabled(False)  # until there is an estimate
    win.quit_action = action("&Quit", win.close, QKeySequence.StandardKey.Quit)
    win.run_action = action("&Run estimate", win.run_estimate, QKeySequence("F5"),
                            sp.SP_MediaPlay, "Estimate the network on the accelerator (F5)")
    win.cancel_action = action("&Cancel", win.cancel, QKeySequence("Esc"), sp.SP_MediaStop,
                               "Stop the running estimate (Esc)")
    win.cancel_action.setEnabled(False)
    win.auto_action = QAction("Re-run fast estimators &automatically", win)
    win.auto_action.setCheckable(True)
    win.auto_action.setChecked(True)
    win.auto_action.setToolTip("Fast estimators refresh by themselves after a change")
    win.about_action = action("&About", win.show_about)


def build_menus(win: MainWindow, zoo_names: list[str]) -> None:
    bar = win.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(win.open_action)
    win.recent_menu = file_menu.addMenu("Open &recent")
    win.recent_menu.aboutToShow.connect(win.fill_recent_menu)
    win.examples_menu = file_menu.addMenu("&Examples")
    for name in zoo_names:
        act = win.examples_menu.addAction(name)
        act.setToolTip(f"The {name} model-zoo architecture shipped with onnx")
        act.triggered.connect(lambda _checked=False, n=name: win.open_network(n))
    file_menu.addSeparator()
    for act in (win.open_arch_action, win.save_arch_action, win.save_arch_as_action):
        file_menu.addAction(act)
    file_menu.addSeparator()
    file_menu.addAction(win.export_action)
    file_menu.addAction(win.export_plot_action)
    file_menu.addSeparator()
    file_menu.addAction(win.quit_action)
    panel = win.accelerator_panel
    edit_menu = bar.addMenu("&Edit")
    for act in (panel.undo_action, panel.redo_action, panel.reset_action):
        edit_menu.addAction(act)
    run_menu = bar.addMenu("&Run")
    for act in (win.run_action, win.cancel_action, win.auto_action):
        run_menu.addAction(act)
    view_menu = bar.addMenu("&View")
    view_menu.addAction(win.accelerator_dock.toggleViewAction())
    view_menu.addAction(win.layers_dock.toggleViewAction())
    view_menu.addAction(win.detail_dock.toggleViewAction())
    view_menu.addAction(win.bars.log_check.text(), win.bars.log_check.toggle)
    view_menu.addSeparator()
    # Ctrl+1 … Ctrl+9: the tabs in their order (the registry's), whatever views exist
    win.tab_actions = []
    for index in range(min(win.tabs.count(), 9)):
        act = QAction(f"Show {win.tabs.tabText(index)}", win)  # "&&" shows as "&"
        act.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        act.triggered.connect(lambda _checked=False, i=index: win.tabs.setCurrentIndex(i))
        view_menu.addAction(act)
        win.tab_actions.append(act)
    help_menu = bar.addMenu("&Help")
    win.shortcuts_action = help_menu.addAction("&Keyboard shortcuts and docs",
                                               lambda: show_shortcuts(win))
    help_menu.addAction(win.about_action)


def build_toolbar(win: MainWindow) -> None:
    toolbar = win.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addAction(win.open_action)
    examples = QToolButton()
    examples.setText("Examples")
    examples.setToolTip("Open a model-zoo network")
    examples.setMenu(win.examples_menu)
    examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    toolbar.addWidget(examples)
    toolbar.addAction(win.save_arch_action)
    toolbar.addSeparator()
    toolbar.addWidget(QLabel(" Estimator: "))
    win.estimator_combo = EstimatorPicker()
    toolbar.addWidget(win.estimator_combo)
    win.options_action = toolbar.addAction("Options…", win.estimator_combo.edit_options)
    win.options_action.setToolTip("The chosen estimator's options (e.g. refined-roofline's "
                                  "alpha)")
    toolbar.addAction(win.run_action)
    toolbar.addAction(win.cancel_action)


def build_status_bar(win: MainWindow) -> None:
    win.progress = QProgressBar()
    win.progress.setMaximumWidth(240)
    win.progress.setTextVisible(True)
    # Keep its room when hidden: a status bar that grows when a task starts would
    # resize every plot above it, and repainting them while the worker holds the
    # GIL blocks the UI thread for a long time.
    policy = win.progress.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    win.progress.setSizePolicy(policy)
    win.progress.setVisible(False)
    win.network_label = QLabel("No network")
    win.statusBar().addPermanentWidget(win.network_label)
    win.statusBar().addPermanentWidget(win.progress)
    win.statusBar().showMessage("Open a network (Ctrl+O) or pick one from Examples.")



DOCS = Path(__file__).resolve().parents[2] / "docs"


def shortcuts_text(win: MainWindow) -> str:
    """Every action with a shortcut, as the menus define them (so the list cannot drift),
    and where the documentation is."""
    actions = [win.open_action, win.save_arch_action, win.save_arch_as_action,
               win.export_action, win.export_plot_action, win.run_action, win.cancel_action,
               win.accelerator_panel.undo_action, win.accelerator_panel.redo_action,
               *win.tab_actions, win.quit_action]
    rows = []
    for act in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                         for k in act.shortcuts())
        if keys:
            rows.append(f"<tr><td><b>{keys}</b></td><td>{_plain(act.text())}</td></tr>")
    links = "".join(f'<li><a href="{(DOCS / name).as_uri()}">{name}</a></li>'
                    for name in ("architecture.md", "accelerator-format.md", "sweep-format.md")
                    if (DOCS / name).is_file())
    return (f"<table>{''.join(rows)}</table><p>The wheel changes a field only when it has "
            f"focus; Ctrl+Z undoes the last committed edit even while a field has focus."
            f"</p><p>Documentation:</p><ul>{links}</ul>")


def show_shortcuts(win: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(win)
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(shortcuts_text(win))
    box.open()


def _plain(text: str) -> str:
    """An action's text without its mnemonic marks ("&&" is a literal "&")."""
    return html.escape(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))
