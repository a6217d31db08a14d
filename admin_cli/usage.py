"""Command-line mistakes told in Chinese (Typer/Click word them in English), with where to look."""

from __future__ import annotations

import re

from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption, UsageError

_PATTERNS = (
    (re.compile(r"No such command '(.+?)'"), "没有 {0} 这个命令"),
    (re.compile(r"Got unexpected extra arguments? \((.+?)\)"), "多了参数：{0}"),
    (re.compile(r"Option '(.+?)' requires an argument"), "选项 {0} 后面需要给出值"),
    (re.compile(r"Option '(.+?)' does not take a value"), "选项 {0} 不需要值"),
)
_VALUES = (
    (re.compile(r"is not a valid integer"), "应为整数"),
    (re.compile(r"is not a valid float"), "应为数字"),
    (re.compile(r"is not one of (.+)"), "只能是 {0}"),
    (re.compile(r"does not match the formats? (.+)"), "日期格式应为 YYYY-MM-DD"),
    (re.compile(r"is not in the range (.+)"), "超出范围 {0}"),
)


def _hint(exc: BadParameter) -> str:
    if exc.param_hint is not None:
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    return exc.param.get_error_hint() if exc.param is not None else "参数"


def _value(message: str) -> str:
    for pattern, chinese in _VALUES:
        if m := pattern.search(message):
            return chinese.format(*m.groups())
    return message


def explain(exc: UsageError) -> str:
    """The mistake in Chinese, and the command's ``--help`` to run."""
    if isinstance(exc, NoSuchOption):
        what = f"没有 {exc.option_name} 这个选项"
        if exc.possibilities:
            what += f"，您是不是想用 {'、'.join(sorted(exc.possibilities))}"
    elif isinstance(exc, MissingParameter):
        kind = (
            "参数" if (exc.param_type or (exc.param and exc.param.param_type_name)) == "argument" else "选项"
        )
        what = f"缺少{kind} {_hint(exc).replace(chr(39), '')}"
    elif isinstance(exc, BadParameter):
        what = f"{_hint(exc).replace(chr(39), '')} 的值不对：{_value(exc.message)}"
    else:
        message = exc.format_message()
        what = next((c.format(*m.groups()) for p, c in _PATTERNS if (m := p.search(message))), message)
    path = exc.ctx.command_path if exc.ctx is not None else "minyi-admin"
    return f"{what}。运行 {path} --help 查看用法。"
