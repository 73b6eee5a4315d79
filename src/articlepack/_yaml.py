"""Safe, fast YAML: yaml-rs parses; PyYAML's events and nodes guard the parser and locate lines.

Nothing here constructs arbitrary Python objects: yaml-rs builds plain data, and PyYAML is used
only to *parse* events and *compose* nodes (no constructors run). Hostile documents are refused
with a :class:`YAMLProblem` (a finding code, a message and, where there is one, a line):

- nesting deeper than :data:`MAX_DEPTH` (yaml-rs overflows the C stack on block nesting some
  thousands of levels deep, so depth is bounded *before* yaml-rs sees the text);
- any YAML tag (yaml-rs would load ``!!python/object/apply:os.system [...]`` as plain data);
- alias bombs (yaml-rs's alias limits), duplicate keys, and several documents in one file.

Guards are cheap upper bounds on the text first; only a text that fails one is parsed exactly with
libyaml's (non-recursive) event parser, which stops at the first offending event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import yaml
import yaml_rs

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIASES = yaml_rs.AliasLimits(
    max_alias_expansions_per_anchor=100,
    max_total_replayed_events=10_000,
    max_replay_stack_depth=64,
)
MAX_DEPTH = 64  # deeper nesting than any corpus file needs; deeper input is hostile

_LINE = re.compile(r"line (\d+)")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))  # multi-byte UTF-8 never holds these four
# Block nesting: every nested block collection starts at or after its parent's column, and at
# most every other level shares a column, so block depth <= 2 * (longest line prefix of spaces
# and compact indicators `- ? :` + 1). A prefix shorter than _PREFIX bounds it by 32 levels.
_PREFIX = 16
_PREFIX_CHARS = " \t?:-"
# YAML breaks lines at \r too; one pattern per line break keeps the search at memchr speed
_LONG_PREFIX = {nl: re.compile(rf"{nl}[ \t?:-]{{{_PREFIX}}}") for nl in ("\n", "\r")}
# A tag starts a token: `!`, `!!python/...`, `!local`, `!<verbatim>`.
_TAG_HINT = re.compile(r"(?:^|[\s\[\]{},])!", re.MULTILINE)
_DOC_MARK = re.compile(r"^(?:---|\.\.\.)(?:[ \t\r\n]|$)", re.MULTILINE)
_ANCHOR = re.compile(r"for anchor (\d+)")
_BREAK = re.compile(r"\r\n|\r|\n")  # YAML's line breaks (str.splitlines knows more)
COLLECTION_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
COLLECTION_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class YAMLProblem(ValueError):
    """A YAML document that cannot be loaded; ``code`` is a finding code."""

    def __init__(self, code: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


def loads(text: str) -> Any:
    """Parse ``text`` (one YAML document), raising :class:`YAMLProblem` on anything unsafe."""
    _guard(text)
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=_ALIASES)
    except yaml_rs.YAMLDecodeError as exc:
        raise _classify(text, str(exc)) from None
    except RecursionError:
        raise YAMLProblem("yaml-unsafe", "the document nests too deeply", None) from None
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException(BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        raise YAMLProblem(
            "yaml-syntax", f"the YAML parser gave up on this file ({exc})", None
        ) from None
    if isinstance(data, list) and _DOC_MARK.search(text):
        _check_one_document(text)
    return data


# -- guards -----------------------------------------------------------------------------------


def _guard(text: str) -> None:
    """Refuse documents nested deeper than MAX_DEPTH or carrying a tag, before yaml-rs runs."""
    deep = _maybe_deep(text)
    if deep or ("!" in text and _TAG_HINT.search(text)):
        _scan(text, strict=deep)


def _maybe_deep(text: str) -> bool:
    """Whether a cheap upper bound on the nesting depth exceeds MAX_DEPTH (costs microseconds)."""
    head = text[: _PREFIX + 1].lstrip("\ufeff")[:_PREFIX]
    if len(head) - len(head.lstrip(_PREFIX_CHARS)) >= _PREFIX or any(
        nl in text and pattern.search(text) for nl, pattern in _LONG_PREFIX.items()
    ):
        return True
    return 2 * _PREFIX + _flow_estimate(text) > MAX_DEPTH


def _flow_estimate(text: str) -> int:
    # Brackets inside quoted strings or comments make this an estimate, not a bound; yaml-rs
    # itself refuses flow nesting deeper than ~255 levels ("recursion limit exceeded"), so an
    # underestimate cannot crash it.
    if text.count("[") + text.count("{") <= MAX_DEPTH - 2 * _PREFIX:
        return 0
    brackets = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    depth = 0
    while brackets and depth <= MAX_DEPTH:  # each pass strips the innermost level of pairs
        inner = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if inner == brackets:  # unpaired brackets are left: count each as a level
            return depth + len(brackets)
        brackets, depth = inner, depth + 1
    return depth


def _open_brackets(prefix: str) -> int:
    """The deepest run of unclosed flow brackets in ``prefix`` (quotes not considered: this only
    classifies a text that a parser has already refused)."""
    brackets = prefix.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth = depth + 1 if byte in b"[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _scan(text: str, *, strict: bool) -> None:
    """Walk libyaml's events: refuse a tag or nesting deeper than MAX_DEPTH.

    With ``strict`` (the depth bound was exceeded), a document libyaml cannot parse is refused
    as a syntax error rather than handed to yaml-rs, whose depth it could not measure.
    """
    depth = 0
    try:
        for event in parse_events(text):
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise YAMLProblem(
                    "yaml-unsafe",
                    f"YAML tags such as `{tag}` are not allowed in "
                    "corpus files (write plain values)",
                    start_line(event),
                )
            if isinstance(event, COLLECTION_START):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YAMLProblem(
                        "yaml-unsafe",
                        f"the document nests deeper than {MAX_DEPTH} levels",
                        start_line(event),
                    )
            elif isinstance(event, COLLECTION_END):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if strict:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            # libyaml's own nesting limit (and its version's wording) must not decide the code:
            # what the text holds before the point where the parser stopped does.
            if mark is not None and max(depth, _open_brackets(text[: mark.index])) > MAX_DEPTH:
                raise YAMLProblem(
                    "yaml-unsafe", f"the document nests deeper than {MAX_DEPTH} levels", line
                ) from None
            raise _syntax(text, _libyaml_message(exc), line) from None
    except yaml.YAMLError as exc:
        if strict:
            raise YAMLProblem("yaml-syntax", str(exc).strip().splitlines()[0], None) from None


def parse_events(text: str) -> Iterator[yaml.Event]:
    """libyaml's events of ``text``: parsed, nothing constructed."""
    return yaml.parse(text, Loader=_LOADER)


def start_line(event: yaml.Event) -> int | None:
    """The 1-based line an event starts on."""
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else None


def _libyaml_message(exc: yaml.MarkedYAMLError) -> str:
    return " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"


def _check_one_document(text: str) -> None:
    """yaml-rs returns a list of documents for a multi-document stream: refuse that."""
    starts: list[int | None] = []
    try:
        for event in parse_events(text):
            if isinstance(event, yaml.DocumentStartEvent):
                starts.append(start_line(event))
                if len(starts) > 1:
                    raise YAMLProblem(
                        "yaml-multiple-documents",
                        "the file holds more than one YAML document (remove the `---` separator "
                        "and everything after it, or merge the documents)",
                        starts[1],
                    )
    except yaml.YAMLError:
        return


# -- classifying yaml-rs errors -----------------------------------------------------------------


def _classify(text: str, message: str) -> YAMLProblem:
    lines = message.strip().splitlines()
    first = lines[-1].strip() if lines else message
    lower = message.lower()
    if "duplicate mapping key" in lower:
        key = message.split(":", 1)[-1].strip()
        return YAMLProblem("yaml-duplicate-key", f"duplicate key {key}", _duplicate_line(text))
    if "alias" in lower and any(w in lower for w in ("exceeded", "overflow")):
        match = _ANCHOR.search(message)
        line = _anchor_line(text, int(match.group(1)) if match else None)
        return YAMLProblem(
            "yaml-unsafe",
            f"aliases expand beyond the allowed limit ({first}); an alias bomb?",
            line,
        )
    if "anchor count exceeded" in lower:
        return YAMLProblem("yaml-unsafe", f"too many anchors ({first})", None)
    match = _LINE.search(message)
    line = int(match.group(1)) if match else _syntax_line(text)
    if "recursion limit exceeded" in lower:
        return YAMLProblem("yaml-unsafe", "the document nests too deeply", line)
    return _syntax(text, first, line)


def _syntax(text: str, message: str, line: int | None) -> YAMLProblem:
    """A syntax error; one that a tab causes is worded, and placed, as the tab's own.

    Parsers stop at a tab on the line where they notice it, which for a tab that indents a
    value's continuation is the line before; the tab is looked for on both lines.
    """
    lines = _BREAK.split(text)
    for number in (line, line + 1) if line else range(1, len(lines) + 1):
        content = lines[number - 1] if 0 < number <= len(lines) else ""
        indent = content[: len(content) - len(content.lstrip(" \t-"))]
        if "\t" in indent:
            return YAMLProblem(
                "yaml-syntax",
                f"line {number} is indented with a tab: indent with spaces (YAML does not "
                "allow tabs in indentation)",
                number,
            )
    if line and "\t" in (lines[line - 1] if line <= len(lines) else ""):
        return YAMLProblem(
            "yaml-syntax", f"{message} (line {line} holds a tab: use spaces instead)", line
        )
    return YAMLProblem("yaml-syntax", message, line)


def _syntax_line(text: str) -> int | None:
    try:
        for _ in parse_events(text):
            pass
    except yaml.MarkedYAMLError as exc:
        return exc.problem_mark.line + 1 if exc.problem_mark else None
    except yaml.YAMLError:
        return None
    return None


def _anchor_line(text: str, number: int | None) -> int | None:
    """The line of the ``number``-th anchor (1-based, in document order, as yaml-rs counts them),
    or of the first alias when yaml-rs names no anchor."""
    seen = 0
    try:
        for event in parse_events(text):
            if isinstance(event, yaml.AliasEvent):
                if number is None:
                    return start_line(event)
            elif getattr(event, "anchor", None) is not None:
                seen += 1
                if seen == number:
                    return start_line(event)
    except yaml.YAMLError:
        return None
    return None


def _duplicate_line(text: str) -> int | None:
    root = compose(text)
    if root is None:
        return None
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:  # aliases share nodes: never walk one twice
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                ident = (key.tag, key.value) if isinstance(key, yaml.ScalarNode) else id(key)
                if ident in seen:
                    return int(key.start_mark.line) + 1
                seen.add(ident)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


# -- locating a path ----------------------------------------------------------------------------


def line_of(text: str, path: Sequence[Any]) -> int | None:
    """1-based line of the node at ``path`` (keys, list indexes); its nearest ancestor if absent."""
    root = compose(text)
    if root is None:
        return None
    line = int(root.start_mark.line) + 1
    for key, node in along(root, path):
        line = int((key or node).start_mark.line) + 1
    return line


def along(root: yaml.Node, path: Sequence[Any]) -> list[tuple[yaml.Node | None, yaml.Node]]:
    """The nodes that ``path`` (keys, list indexes) leads through from ``root``, each with its
    key's node (None for a list item), as far as the path exists."""
    out: list[tuple[yaml.Node | None, yaml.Node]] = []
    node = root
    for step in path:
        found: tuple[yaml.Node | None, yaml.Node] | None = None
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if _same_key(k, step)), None)
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            found = (None, node.value[step])
        if found is None:
            break
        out.append(found)
        node = found[1]
    return out


def _same_key(key: yaml.Node, step: Any) -> bool:
    """Whether a key node is the loaded key ``step`` (non-string keys matched as written)."""
    if isinstance(step, tuple):  # yaml-rs loads a sequence key as a tuple, a mapping as frozenset
        return isinstance(key, yaml.SequenceNode) and len(key.value) == len(step)
    if isinstance(step, frozenset):
        return isinstance(key, yaml.MappingNode) and len(key.value) == len(step)
    if not isinstance(key, yaml.ScalarNode):
        return False
    if isinstance(step, str):
        return bool(key.value == step)
    if step is None:
        return str(key.tag).endswith(":null")
    if isinstance(step, bool):
        return str(key.tag).endswith(":bool") and str(key.value).lower() == str(step).lower()
    return bool(key.value == str(step))


@lru_cache(maxsize=64)
def compose(text: str) -> yaml.Node | None:
    """The document's node graph (marks give each node's place as character offsets), or None
    when the text is not YAML or nests too deeply. Nodes are shared: never change them."""
    if _maybe_deep(text):
        try:
            _scan(text, strict=True)
        except YAMLProblem:
            return None
    # libyaml refuses some texts yaml-rs loads (an escaped surrogate pair such as "\ud83d\ude00");
    # PyYAML's pure-Python parser accepts them, so the findings of such a file keep their lines.
    for loader in dict.fromkeys((_LOADER, yaml.SafeLoader)):
        try:
            return yaml.compose(text, Loader=loader)
        except (yaml.YAMLError, RecursionError):
            continue
    return None
