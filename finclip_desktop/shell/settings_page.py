"""The launcher's settings page: the user's settings, each one the organisation's policy
manages shown read-only with "managed by your organisation", and the policy's other rules."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from finclip_desktop.settings import MANAGED_NOTE, SettingsError


def policy_rules(settings: Any) -> list[str]:
    """One line per managed rule that has no field on the page (keys, the server's root,
    apps, sideloading, localhost)."""
    lines = []
    if settings.is_managed("trusted_keys"):
        lines.append(f"Trusted package signers: {len(settings.trusted_keys)} key(s)")
    if settings.is_managed("allowed_apps"):
        lines.append("Allowed apps: " + (", ".join(settings.allowed_apps) or "none"))
    if settings.is_managed("blocked_apps"):
        lines.append("Blocked apps: " + ", ".join(settings.blocked_apps))
    if settings.is_managed("distribution_root"):
        signed = (settings.distribution_root or {}).get("signed", {})
        keys = signed.get("keys") if isinstance(signed.get("keys"), dict) else {}
        lines.append(
            f"Server's root of trust: pinned (root version {signed.get('version', '?')}, "
            f"{len(keys)} key(s))"
        )
    if settings.is_managed("sideloading_allowed") and not settings.sideloading_allowed:
        lines.append("Running app folders and unlisted packages is not allowed")
    if settings.is_managed("allow_http_localhost"):
        state = "allowed" if settings.allow_http_localhost else "not allowed"
        lines.append(f"Plain http to localhost in developer mode: {state}")
    return lines


class SettingsPage(QWidget):
    """Server URL, developer mode, usage statistics, update channel and proxy."""

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        form = QFormLayout(self)
        eff = store.effective
        self.server = QLineEdit(eff.server_url or "", self)
        self.developer = QCheckBox("Developer mode (run unsigned folders)", self)
        self.developer.setChecked(eff.developer_mode)
        self.telemetry = QCheckBox("Send usage statistics to the server", self)
        self.telemetry.setChecked(eff.telemetry)
        self.channel = QLineEdit(eff.update_channel, self)
        self.proxy = QLineEdit(eff.proxy, self)
        self.proxy.setPlaceholderText("system, none, or http://host:port")
        self.fields: dict[str, QWidget] = {
            "server_url": self.server,
            "developer_mode": self.developer,
            "telemetry": self.telemetry,
            "update_channel": self.channel,
            "proxy": self.proxy,
        }
        labels = {"server_url": "Server URL", "update_channel": "Update channel", "proxy": "Proxy"}
        for name, widget in self.fields.items():
            widget.setAccessibleName(labels.get(name, name.replace("_", " ")))
            row: QWidget = widget
            if eff.is_managed(name):
                widget.setEnabled(False)
                widget.setToolTip(MANAGED_NOTE)
                row = QWidget(self)
                box = QHBoxLayout(row)
                box.setContentsMargins(0, 0, 0, 0)
                box.addWidget(widget, 1)
                box.addWidget(QLabel(f"<i>{MANAGED_NOTE}</i>", row))
            form.addRow(labels.get(name, ""), row)
        rules = policy_rules(eff)
        if rules:
            form.addRow(QLabel(f"<b>Also {MANAGED_NOTE}:</b>", self))
            for line in rules:
                form.addRow(QLabel(line, self))
        self.status = QLabel("", self)
        save = QPushButton("&Save", self)
        save.clicked.connect(self.save)
        form.addRow(save, self.status)

    def save(self) -> bool:
        """Save the fields the user may change; a bad value is shown, nothing is saved."""
        eff = self.store.effective
        values: dict[str, Any] = {
            "server_url": self.server.text().strip() or None,
            "developer_mode": self.developer.isChecked(),
            "telemetry": self.telemetry.isChecked(),
            "update_channel": self.channel.text().strip(),
            "proxy": self.proxy.text().strip() or "system",
        }
        changes = {k: v for k, v in values.items() if not eff.is_managed(k)}
        try:
            self.store.update(**changes)
        except SettingsError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText("Saved")
        return True
