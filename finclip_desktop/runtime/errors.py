"""The one error type the runtime compiler raises."""

from __future__ import annotations


class CompileError(Exception):
    """A compile failure at ``file:line:column``; ``str()`` is one line."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file = file
        self.line = line
        self.column = column
        self.message = message


class Source:
    """A file's text with offset -> (line, column) mapping for error messages."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def position(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(self, offset: int, message: str) -> CompileError:
        line, column = self.position(offset)
        return CompileError(self.path, line, column, message)
