"""The account and WeChat's sending rules: what a schedule may ask of it.

Every design, plan and schedule wxtime proposes must be one the account can run. The
rules are data, held here once (official doc 公众平台 › 消息管理 › 群发接口和原创校验):

* a verified **subscription account** (订阅号) can mass-send **once a day**, to all
  followers or to one tag; two groups at two hours on the same day is two sends, which
  it cannot make, so it can rotate slots day by day but never split its audience;
* a **service account** (服务号): each follower receives at most **four mass pushes a
  month**, however sent; a send to a tag may be repeated (it stays out of the history
  list), so one article can go to two random tag groups at two hours on the same day,
  and that day counts once against each follower's four;
* 定时群发 (a scheduled push) can be set for today or tomorrow only, at least five
  minutes ahead; with API mass-send protection an admin confirms within 30 minutes.

Examples
--------
>>> account("subscription").split_possible, account("service").pushes_per_month
(False, 4)
>>> account("service").push_days(28)
4
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError

__all__ = ["ACCOUNTS", "Account", "account"]


@dataclass(frozen=True)
class Account:
    """One kind of account and the sending rules that bind it.

    Attributes
    ----------
    kind : {"subscription", "service"}
    pushes_per_day : int
        Mass pushes the account can make in a day (to all followers or to one tag).
    pushes_per_month : int or None
        Mass pushes each follower may receive in a month (None: bounded by the daily limit).
    split_possible : bool
        Whether one article can go to several random tag groups at different hours on
        the same day (a split test).
    schedule_ahead_days : int
        How far ahead 定时群发 can be set (1: today or tomorrow).
    min_lead_minutes : int
        A scheduled push must be set at least this long before it goes out.
    """

    kind: str
    pushes_per_day: int
    pushes_per_month: int | None
    split_possible: bool
    schedule_ahead_days: int = 1
    min_lead_minutes: int = 5

    @property
    def daily(self) -> bool:
        """Whether the account can push every day (a rotation one slot a day)."""
        return self.pushes_per_month is None

    def push_days(self, days: int) -> int:
        """How many push days fit in ``days`` calendar days.

        Examples
        --------
        >>> account("subscription").push_days(14), account("service").push_days(14)
        (14, 2)
        """
        if self.pushes_per_month is None:
            return days
        return max(1, round(days * self.pushes_per_month / 28)) if days >= 7 else 1

    def days_for(self, push_days: int) -> int:
        """Calendar days that ``push_days`` pushes take (a service account pushes about weekly).

        Examples
        --------
        >>> account("subscription").days_for(10), account("service").days_for(10)
        (10, 70)
        """
        if self.pushes_per_month is None:
            return push_days
        return push_days * 28 // self.pushes_per_month

    @property
    def spacing_days(self) -> int:
        """Days between two pushes when the account pushes as often as it may."""
        return 1 if self.pushes_per_month is None else 28 // self.pushes_per_month


ACCOUNTS = {
    "subscription": Account("subscription", pushes_per_day=1, pushes_per_month=None, split_possible=False),
    "service": Account("service", pushes_per_day=1, pushes_per_month=4, split_possible=True),
}


def account(kind: str | Account = "subscription") -> Account:
    """The :class:`Account` for ``"subscription"`` (the default: an account that pushes daily)
    or ``"service"``."""
    if isinstance(kind, Account):
        return kind
    if kind not in ACCOUNTS:
        raise InputError(f"account must be 'subscription' or 'service', not {kind!r}")
    return ACCOUNTS[kind]
