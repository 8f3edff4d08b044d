"""Headers: the names files give their columns, and wxtime's names for them.

A file's header is matched to wxtime's columns (``delivered``, ``opened``, ``sent_at``...)
through :data:`ALIASES` after normalising it (lower case, no spaces, underscores, dashes or
brackets of either width), unless the user maps it explicitly (``--columns
delivered=sent``). When a required column is missing, the message names what the file has
and the closest header that is not already used for something else, with the option to
pass, quoted for a shell.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from ..errors import InputError, Problem

__all__ = [
    "ALIASES",
    "COUNT_COLUMNS",
    "COVARIATES",
    "KNOWN",
    "header_key",
    "known_header_score",
    "map_headers",
    "missing_problem",
    "parse_columns_option",
]

COUNT_COLUMNS = ("delivered", "opened", "read", "clicked", "shared")
COVARIATES = ("title", "column", "position", "followers")
#: Every name a column of the push table can be mapped to.
KNOWN = (
    set(COUNT_COLUMNS) | {"push_id", "sent_at", "slot", "group", "send_date", "propensity"} | set(COVARIATES)
)

#: Header spellings users' files have, mapped to wxtime's names. Keys are compared after
#: :func:`header_key` (lower case; spaces, underscores, dashes and brackets dropped).
ALIASES: dict[str, str] = {
    # delivered
    "delivered": "delivered",
    "sent": "delivered",
    "sends": "delivered",
    "deliveries": "delivered",
    "recipients": "delivered",
    "targetuser": "delivered",
    "送达人数": "delivered",
    "送达": "delivered",
    "送达数": "delivered",
    "送达量": "delivered",
    "送达用户数": "delivered",
    "发送人数": "delivered",
    "推送人数": "delivered",
    "触达人数": "delivered",
    "图文送达人数": "delivered",
    # opened: reads from the push itself
    "opened": "opened",
    "opens": "opened",
    "open": "opened",
    "views": "opened",
    "intpagefromsessionreaduser": "opened",
    "公众号消息阅读人数": "opened",
    "公众号消息阅读次数": "opened",
    "公众号会话阅读人数": "opened",
    "公众号会话阅读次数": "opened",
    "会话阅读人数": "opened",
    "打开人数": "opened",
    "打开数": "opened",
    "打开次数": "opened",
    "打开量": "opened",
    "阅读人数": "opened",
    "阅读次数": "opened",
    "阅读数": "opened",
    "阅读量": "opened",
    "阅读": "opened",
    # 微小宝's report defines 打开率 = 图文阅读人数 / 图文送达人数 (../shared/reference/wechat-data.md)
    "图文阅读人数": "opened",
    "图文阅读次数": "opened",
    "图文页阅读人数": "opened",
    "图文页阅读次数": "opened",
    # read (read through)
    "read": "read",
    "reads": "read",
    "readthrough": "read",
    "阅读完成人数": "read",
    "读完人数": "read",
    # clicked
    "clicked": "clicked",
    "clicks": "clicked",
    "click": "clicked",
    "oripagereaduser": "clicked",
    "阅读原文人数": "clicked",
    "阅读原文次数": "clicked",
    # shared
    "shared": "shared",
    "shares": "shared",
    "shareuser": "shared",
    "分享人数": "shared",
    "分享次数": "shared",
    # times and slots
    "sentat": "sent_at",
    "sendtime": "sent_at",
    "senttime": "sent_at",
    "datetime": "sent_at",
    "timestamp": "sent_at",
    "发表时间": "sent_at",
    "群发时间": "sent_at",
    "发送时间": "sent_at",
    "推送时间": "sent_at",
    "发布时间": "sent_at",
    "时间": "sent_at",
    "time": "sent_at",
    "sendat": "sent_at",
    # a date column, combined with a time-of-day column
    "date": "send_date",
    "day": "send_date",
    "senddate": "send_date",
    "refdate": "send_date",
    "日期": "send_date",
    "发送日期": "send_date",
    "推送日期": "send_date",
    "发布日期": "send_date",
    "发表日期": "send_date",
    "群发日期": "send_date",
    "slot": "slot",
    "hour": "slot",
    "sendhour": "slot",
    "推送时段": "slot",
    "时段": "slot",
    "小时": "slot",
    # identifiers and covariates
    "pushid": "push_id",
    "msgid": "push_id",
    "msgdataid": "push_id",
    "推送编号": "push_id",
    "推送id": "push_id",
    "群发编号": "push_id",
    "群发id": "push_id",
    "消息id": "push_id",
    "group": "group",
    "分组": "group",
    "标签": "group",
    "title": "title",
    "内容标题": "title",
    "文章标题": "title",
    "图文标题": "title",
    "标题": "title",
    "column": "column",
    "栏目": "column",
    "position": "position",
    "idx": "position",
    "位置": "position",
    "图文位置": "position",
    "文章位置": "position",
    "followers": "followers",
    "粉丝数": "followers",
    "propensity": "propensity",
    "probability": "propensity",
    "概率": "propensity",
    "抽中概率": "propensity",
}

#: What each required column is, in the user's words (for the "is required" message).
NEEDED = {
    "delivered": "the deliveries of each push (送达人数 / delivered)",
    "opened": "the opens or reads from the push (阅读人数 / 公众号消息阅读次数 / opened)",
    "sent_at": "when each push was sent (发送时间 / 推送时间 / sent_at), or its slot (时段 / hour)",
}

_KEY_DROP = re.compile(r"[\s_\-()（）\[\]【】]")
# Units written after a header: 送达人数(人), 阅读(次).
_UNIT_SUFFIX = re.compile(r"[(（](?:人|次|个|篇|%)[)）]$")


def header_key(name: object) -> str:
    """A header normalised for matching: ``"送达人数（人）"`` and ``"Target_User"`` become
    ``"送达人数"`` and ``"targetuser"``.

    Examples
    --------
    >>> header_key(" Target_User "), header_key("送达人数（人）"), header_key("阅读(次)")
    ('targetuser', '送达人数', '阅读')
    """
    text = _UNIT_SUFFIX.sub("", str(name).strip())
    return _KEY_DROP.sub("", text).lower()


def known_header_score(values) -> int:
    """How many of ``values`` are headers wxtime knows (its names or their aliases): used to
    find the header row of a sheet and to tell a push table from a notes sheet."""
    keys = {header_key(v) for v in values if isinstance(v, str) and v.strip()}
    names = {header_key(n) for n in KNOWN}
    return sum(1 for k in keys if k in ALIASES or k in names)


def parse_columns_option(text: str | None) -> dict[str, str]:
    """Parse the CLI's ``--columns delivered=sent,slot=hour`` into a mapping.

    Examples
    --------
    >>> parse_columns_option("delivered=sent, slot=hour")
    {'delivered': 'sent', 'slot': 'hour'}
    """
    if not text:
        return {}
    mapping = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"--columns expects NAME=HEADER pairs, got {part.strip()!r}")
        key, value = (s.strip() for s in part.split("=", 1))
        if key in mapping:
            raise InputError(f"--columns gives {key!r} twice ({mapping[key]!r} and {value!r})")
        if not key or not value:
            raise InputError(f"--columns expects NAME=HEADER pairs, got {part.strip()!r}")
        mapping[key] = value
    return mapping


def _shell_word(text: str) -> str:
    """``text`` quoted for a shell only when it needs it (spaces, quotes, $, ...; Chinese is fine).

    Examples
    --------
    >>> _shell_word("delivered=送达人数"), _shell_word("opened=Open Count")
    ('delivered=送达人数', "'opened=Open Count'")
    """
    if re.search(r"[\s'\"$`\\;&|<>()*?\[\]{}~#!]", text):
        return shlex.quote(text)
    return text


def _suggest(name: str, headers, taken: set) -> list[str]:
    """Headers that look like ``name`` or one of its aliases, closest first, leaving out the
    headers already mapped to another column."""
    import difflib

    spellings = [key for key, target in ALIASES.items() if target == name] + [name]
    keys = {header_key(h): str(h) for h in headers if str(h) not in taken and str(h).strip()}
    close = []
    for spelling in spellings:
        close += [keys[k] for k in difflib.get_close_matches(spelling, list(keys), n=2, cutoff=0.5)]
    return list(dict.fromkeys(close))[:3]


def missing_problem(name: str, headers, mapping: Mapping[str, str]) -> Problem:
    """A required column the file lacks: what it is, what the file has, and the mapping to pass.

    ``mapping`` is ``{wxtime name: header}`` as read so far: a header already used for
    another column is never suggested.

    Examples
    --------
    >>> p = missing_problem("opened", ["Date", "Send Time", "Recipients", "Open Count"],
    ...                     {"delivered": "Recipients", "send_date": "Date"})
    >>> "'Recipients'" in p.message, "--columns 'opened=Open Count'" in p.message
    (False, True)
    """
    have = ", ".join(map(str, headers))
    taken = {str(h) for h in mapping.values()}
    close = _suggest(name, headers, taken)
    if name == "sent_at":
        close += [c for c in _suggest("slot", headers, taken) if c not in close]
    if close:
        option = _shell_word(f"{name}={close[0]}")
        hint = f"; closest in the file: {', '.join(repr(c) for c in close[:3])}: if that is it, pass "
        hint += f"--columns {option} (Python: columns={{'{name}': '{close[0]}'}})"
    else:
        hint = f"; name your column with --columns {name}=<your header> (Python: columns={{'{name}': ...}})"
    return Problem(
        None, name, f"is required: {NEEDED[name]}. The file has: {have}{hint}", kind="missing_column"
    )


def map_headers(headers, columns: Mapping[str, str] | None, source: str) -> tuple[dict[str, str], list[str]]:
    """``({header: wxtime name}, notes)`` for the headers wxtime uses; the rest are kept as they are.

    Explicit ``columns`` (``{wxtime name: header}``) come first, then :data:`ALIASES`.
    Refuses (a :class:`~wxtime.errors.PushDataError` naming the headers) a mapping to an
    unknown name or a header the file lacks, two headers that both mean one column, and a
    header that is itself a wxtime name while the mapping gives that name to another. Of
    two headers meaning one column, the push's own channel (公众号消息阅读次数 over
    总阅读次数) or people over times (阅读人数 over 阅读次数) is used and said in the notes;
    otherwise they are refused.

    Examples
    --------
    >>> map_headers(["日期", "发送时间", "送达人数", "阅读"], None, "sheet.csv")[0]
    {'日期': 'send_date', '发送时间': 'sent_at', '送达人数': 'delivered', '阅读': 'opened'}
    >>> map_headers(["日期", "送达人数", "阅读人数", "阅读次数"], None, "sheet.csv")[1]
    ["opened: used '阅读人数' (also in the file: '阅读次数')"]
    """
    from ..errors import PushDataError

    columns = dict(columns or {})
    headers = [str(h) for h in headers]
    problems = []
    for target, header in columns.items():
        if target not in KNOWN:
            problems.append(
                Problem(None, target, f"is not a wxtime column (known: {', '.join(sorted(KNOWN))})")
            )
        elif header not in headers:
            problems.append(
                Problem(
                    None,
                    header,
                    f"was given for '{target}' but is not in the file (columns: {', '.join(headers)})",
                )
            )
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    mapping = {header: target for target, header in columns.items()}
    for header in headers:
        if header not in mapping and header in mapping.values():
            mapped = next(h for h, t in mapping.items() if t == header)
            problems.append(
                Problem(
                    None,
                    header,
                    f"is in the file and the mapping also makes {mapped!r} the '{header}' column: "
                    "map one of them only",
                )
            )
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    claimed: dict[str, list[str]] = {}
    for header in headers:
        if header in mapping:
            continue
        target = ALIASES.get(header_key(header))
        if target is None and header_key(header) in KNOWN:
            target = header_key(header)
        if target and target not in mapping.values():
            claimed.setdefault(target, []).append(header)
    notes = []
    for target, names in claimed.items():
        preferred = _preferred(names)
        if len(names) > 1 and preferred is not None:
            others = ", ".join(repr(h) for h in names if h != preferred)
            notes.append(f"{target}: used {preferred!r} (also in the file: {others})")
            mapping[preferred] = target
        elif len(names) > 1:
            option = _shell_word(f"{target}={names[0]}")
            problems.append(
                Problem(
                    None,
                    names[0],
                    f"and {', '.join(repr(h) for h in names[1:])} all mean '{target}': keep one, or say "
                    f"which to use with --columns {option} (Python: columns={{'{target}': '{names[0]}'}})",
                )
            )
        else:
            mapping[names[0]] = target
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    return mapping, notes


def _preferred(names: list[str]) -> str | None:
    """Of several headers meaning one column, the one to use when the choice is clear: the one
    counting the push's own channel (公众号消息, 会话, session), else people (人数) over
    times (次数). None when nothing makes one of them the clear choice, or when one of them
    is wxtime's own name for the column (``delivered`` beside 送达人数: which is meant?)."""
    if any(header_key(h) in KNOWN for h in names):
        return None
    for rule in (
        lambda h: any(w in h for w in ("公众号消息", "会话", "session")),
        lambda h: "人数" in h,
    ):
        chosen = [h for h in names if rule(header_key(h))]
        if len(chosen) == 1:
            return chosen[0]
    return None
