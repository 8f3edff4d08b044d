"""One message catalogue (English and Simplified Chinese) for everything wxtime says to people.

The verdict, the report, plot labels and the CLI summary all take their words
from :data:`MESSAGES` through :func:`t`, so a Chinese report is Chinese
everywhere, and the same sentence is the same in every place it appears.

Examples
--------
>>> t("push_at", "en", slot="12:00")
'Push at 12:00'
>>> t("push_at", "zh", slot="12:00")
'在 12:00 推送'
"""

from __future__ import annotations

__all__ = [
    "ARGPARSE_WORDS",
    "LANGS",
    "MESSAGES",
    "cli_help",
    "metric_label",
    "percent",
    "pp",
    "skipped_reason",
    "t",
    "unit_word",
]

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # -- metrics --------------------------------------------------------------------
    "metric.open": {"en": "open rate", "zh": "打开率"},
    "metric.read": {"en": "read rate", "zh": "读完率（占送达）"},
    "metric.read_through": {"en": "read-through", "zh": "读完率（占打开）"},
    "metric.click": {"en": "click rate", "zh": "点击率"},
    "metric.share": {"en": "share rate", "zh": "分享率"},
    "metric_def.open": {"en": "opened / delivered", "zh": "打开数 / 送达人数"},
    "metric_def.read": {"en": "read / delivered", "zh": "读完数 / 送达人数"},
    "metric_def.read_through": {"en": "read / opened", "zh": "读完数 / 打开数"},
    "metric_def.click": {"en": "clicked / delivered", "zh": "点击数 / 送达人数"},
    "metric_def.share": {"en": "shared / delivered", "zh": "分享数 / 送达人数"},
    # -- units ----------------------------------------------------------------------
    "unit.push": {"en": "pushes", "zh": "次推送"},
    "unit.stretch": {"en": "stretches", "zh": "个轮换段"},
    "unit.day": {"en": "days", "zh": "天"},
    "unit.push.one": {"en": "push", "zh": "次推送"},
    "unit.stretch.one": {"en": "stretch", "zh": "个轮换段"},
    "unit.day.one": {"en": "day", "zh": "天"},
    "unit_name.push": {"en": "pushes", "zh": "推送"},
    "unit_name.stretch": {"en": "stretches", "zh": "轮换段"},
    "unit_name.day": {"en": "days", "zh": "天"},
    "design.randomized": {"en": "randomised daily rotation", "zh": "每日随机轮换"},
    "design.blocked": {"en": "rotation in stretches of days", "zh": "按时间段轮换（每个时段连续推若干天）"},
    "design.split": {"en": "split test by tag groups", "zh": "按标签分组推送"},
    "design.slot-level": {"en": "one row per slot (totals only)", "zh": "每个时段一行（仅汇总数）"},
    "design.single-slot": {"en": "a single slot", "zh": "只有一个时段"},
    # -- reading --------------------------------------------------------------------
    "level.push": {"en": "one row per push", "zh": "每次推送一行"},
    "level.slot": {"en": "one row per slot", "zh": "每个时段一行"},
    "time_source.file": {"en": "the file's own send times", "zh": "文件自带的发送时间"},
    "time_source.log": {"en": "the send log", "zh": "发送记录"},
    "time_source.stated": {"en": "the slot you stated (--slot)", "zh": "你指定的时段（--slot）"},
    "time_source.inferred": {
        "en": "inferred from hourly reads (the hour only)",
        "zh": "由分时阅读数据推断（仅精确到小时）",
    },
    "skipped.blank_rows": {"en": "blank rows", "zh": "空白行"},
    "skipped.total_rows": {"en": "total or average rows (合计, 平均)", "zh": "合计或平均行"},
    "skipped.duplicate_rows": {
        "en": "duplicate rows (identical to an earlier row)",
        "zh": "重复行（与前面某行完全相同）",
    },
    "skipped.payload_downloaded_twice": {
        "en": "payload files downloaded twice (read once)",
        "zh": "重复下载的接口文件（只读一次）",
    },
    "skipped.error_responses": {"en": "error responses saved as data", "zh": "保存下来的接口报错文件"},
    "skipped.published_without_push": {
        "en": "published without a push (publish_type 1)",
        "zh": "发表但未群发通知（publish_type 1）",
    },
    "skipped.no_push_reads": {
        "en": "no push reads (deliveries cannot be recovered)",
        "zh": "没有来自推送的阅读（无法推算送达人数）",
    },
    "skipped.too_young": {
        "en": "too recent to compare at {age} hours",
        "zh": "发送不足 {age} 小时，暂不比较",
    },
    "skipped.hourly_other_dates": {
        "en": "hourly rows of other dates (returned by the API)",
        "zh": "接口返回的其他日期的分时数据",
    },
    "skipped.in_two_files": {
        "en": "pushes in two files (counted once)",
        "zh": "两个文件中重复的推送（只计一次）",
    },
    "skipped.no_trials": {"en": "pushes with nothing delivered", "zh": "送达人数为 0 的推送"},
    "cli.validate.ok": {
        "en": "{source}: OK, {pushes} pushes ({level})",
        "zh": "{source}：读取成功，{pushes} 次推送（{level}）",
    },
    "cli.validate.dates": {"en": "sent from {first} to {last}", "zh": "发送时间从 {first} 到 {last}"},
    "cli.validate.slots": {"en": "slots: {slots}", "zh": "时段：{slots}"},
    "cli.validate.time_source": {
        "en": "send times of {n} pushes: {source}",
        "zh": "{n} 次推送的发送时间来自：{source}",
    },
    "cli.validate.positions.headline": {"en": "the headline's counts", "zh": "取头条的数据"},
    "cli.validate.positions.all": {"en": "all articles summed", "zh": "所有文章相加"},
    "cli.validate.articles": {
        "en": "{n} article rows folded into their pushes ({how})",
        "zh": "{n} 行文章并入所属推送（{how}）",
    },
    "cli.validate.age": {
        "en": "compared at {age} hours after each push",
        "zh": "每次推送按发送后 {age} 小时的数据比较",
    },
    "cli.validate.left_out": {"en": "left out: {n} ({reason})", "zh": "未纳入：{n}（{reason}）"},
    # -- the web app (wxtime serve) ---------------------------------------------------
    "serve.name": {"en": "wxtime: when to push", "zh": "wxtime：什么时候推送"},
    "serve.upload.heading": {"en": "Your push data", "zh": "上传推送数据"},
    "serve.upload.intro": {
        "en": "The backend export (已通知内容), your own sheet or the API payloads; add a send log or "
        "the hourly export (流量分析) when the export has dates only. You see what was read before "
        "anything is decided.",
        "zh": "后台导出的“已通知内容”、自己整理的表格或接口数据均可；导出文件只有日期时，"
        "请同时加上发送记录或“流量分析”分时数据。先看读取结果，再出结论。",
    },
    "serve.upload.files": {"en": "Files", "zh": "文件"},
    "serve.upload.drop": {"en": "or drop them here", "zh": "或把文件拖到这里"},
    "serve.upload.limits": {
        "en": "Up to {files} files, {mb} MB in all. The server deletes them once the decision is made.",
        "zh": "最多 {files} 个文件，合计不超过 {mb} MB。得出结论后，服务器即删除这些文件。",
    },
    "serve.upload.submit": {"en": "Read the files", "zh": "读取文件"},
    "serve.upload.no_files": {"en": "Choose at least one file.", "zh": "请至少选择一个文件。"},
    "serve.sample.heading": {"en": "No data at hand?", "zh": "手头没有数据？"},
    "serve.sample.note": {
        "en": "The replica of the campus-jobs account's rotation study (synthetic, 70 pushes).",
        "zh": "校招号轮换推送研究的复刻数据（模拟数据，70 次推送）。",
    },
    "serve.sample.submit": {"en": "Use the sample data", "zh": "使用示例数据"},
    "serve.working": {"en": "Working…", "zh": "正在处理…"},
    "serve.read.heading": {"en": "What was read", "zh": "读取结果"},
    "serve.read.slots": {"en": "Pushes per slot", "zh": "各时段推送次数"},
    "serve.read.nothing_left_out": {"en": "No rows were left out.", "zh": "没有行被排除。"},
    "serve.read.notes": {"en": "Notes from reading", "zh": "读取说明"},
    "serve.read.first": {"en": "The first pushes, as read", "zh": "读取到的前几次推送"},
    "serve.read.files": {"en": "Files", "zh": "文件"},
    "serve.read.kind": {"en": "read as", "zh": "识别为"},
    "serve.read.columns": {"en": "Columns", "zh": "列"},
    "serve.read.header": {"en": "header in the file", "zh": "文件中的表头"},
    "serve.read.column": {"en": "used as", "zh": "用作"},
    "serve.read.unused": {"en": "kept, not used", "zh": "保留，未使用"},
    "serve.read.remap": {"en": "Change the columns", "zh": "修改列对应"},
    "serve.read.files_gone": {
        "en": "The files were deleted after the decision; upload them again to change the columns.",
        "zh": "得出结论后文件已删除；如需修改列对应，请重新上传。",
    },
    "serve.read.table_gone": {
        "en": "This upload is no longer kept in full: upload the files again to decide on another metric.",
        "zh": "这次上传的数据已不再完整保留：如需按其他指标得出结论，请重新上传文件。",
    },
    "serve.kind.pushes": {"en": "push table", "zh": "推送数据表"},
    "serve.kind.notified": {"en": "backend export (已通知内容)", "zh": "后台导出（已通知内容）"},
    "serve.kind.hourly": {"en": "hourly reads (send times)", "zh": "分时阅读数据（用于发送时间）"},
    "serve.kind.log": {"en": "send log", "zh": "发送记录"},
    "serve.kind.payload": {"en": "API payload", "zh": "接口数据"},
    "serve.col.sent_at": {"en": "send time", "zh": "发送时间"},
    "serve.col.send_date": {"en": "send date", "zh": "发送日期"},
    "serve.col.slot": {"en": "slot", "zh": "推送时段"},
    "serve.col.delivered": {"en": "delivered", "zh": "送达人数"},
    "serve.col.opened": {"en": "opened (reads from the push)", "zh": "打开数（来自推送的阅读）"},
    "serve.col.read": {"en": "read through", "zh": "读完数"},
    "serve.col.clicked": {"en": "clicked", "zh": "点击数"},
    "serve.col.shared": {"en": "shared", "zh": "分享数"},
    "serve.col.title": {"en": "title", "zh": "标题"},
    "serve.col.push_id": {"en": "push id", "zh": "推送编号"},
    "serve.col.group": {"en": "audience group", "zh": "分组"},
    "serve.col.column": {"en": "content column", "zh": "栏目"},
    "serve.col.position": {"en": "article position", "zh": "图文位置"},
    "serve.col.followers": {"en": "followers", "zh": "粉丝数"},
    "serve.col.propensity": {"en": "draw probability", "zh": "抽中概率"},
    "serve.mapping.heading": {"en": "Which column is which?", "zh": "请指定对应的列"},
    "serve.mapping.intro": {
        "en": "Pick the column of your file that holds each of these, then read the file again.",
        "zh": "请为下面每一项选出文件中对应的列，然后重新读取。",
    },
    "serve.mapping.when": {"en": "When each push was sent", "zh": "每次推送的发送时间"},
    "serve.mapping.when_note": {
        "en": "One date-and-time column, or a date column and a slot column.",
        "zh": "一列日期时间，或一列日期加一列推送时段。",
    },
    "serve.mapping.datetime": {"en": "date and time", "zh": "日期和时间"},
    "serve.mapping.none": {"en": "(not in the file)", "zh": "（文件中没有）"},
    "serve.mapping.submit": {"en": "Read again with these columns", "zh": "按这些列重新读取"},
    "serve.mapping.unknown_header": {
        "en": "{header!r} is not a header of the file.",
        "zh": "文件中没有名为 {header!r} 的表头。",
    },
    "serve.decide.heading": {"en": "Decide", "zh": "得出结论"},
    "serve.decide.account": {"en": "Account type", "zh": "账号类型"},
    "serve.account.subscription": {
        "en": "Subscription account (订阅号), one push a day",
        "zh": "订阅号（每天可群发一次）",
    },
    "serve.account.service": {
        "en": "Service account (服务号), four pushes a month",
        "zh": "服务号（每月可群发四次）",
    },
    "serve.decide.metric": {"en": "Compare slots on", "zh": "比较指标"},
    "serve.decide.lang": {"en": "Language of the page", "zh": "结论页语言"},
    "serve.decide.submit": {"en": "Show the decision", "zh": "查看结论"},
    "serve.lang.en": {"en": "English", "zh": "English"},
    "serve.lang.zh": {"en": "中文", "zh": "中文"},
    "serve.result.account": {"en": "Account: {account}", "zh": "账号类型：{account}"},
    "serve.result.page": {"en": "Download the page", "zh": "下载本页"},
    "serve.result.json": {"en": "The numbers (JSON)", "zh": "全部数字（JSON 文件）"},
    "serve.result.share": {
        "en": "Link to this result (works while the server runs)",
        "zh": "本结果的链接（服务运行期间有效）",
    },
    "serve.result.copy": {"en": "Copy", "zh": "复制"},
    "serve.result.copied": {"en": "Copied", "zh": "已复制"},
    "serve.result.other_metric": {"en": "Another metric", "zh": "换个指标"},
    "serve.new": {"en": "New analysis", "zh": "新的分析"},
    "serve.start_over": {"en": "Start again", "zh": "重新开始"},
    "serve.error.heading": {"en": "The file could not be read", "zh": "文件无法读取"},
    "serve.error.again": {"en": "Fix the file and upload it again.", "zh": "请修改文件后重新上传。"},
    "serve.error.not_found": {"en": "Nothing here", "zh": "页面不存在"},
    "serve.error.not_found_text": {
        "en": "There is no such page. Results are kept while the server runs (the latest {n}).",
        "zh": "没有这个页面。服务运行期间只保留最近 {n} 个结果。",
    },
    "serve.error.token": {"en": "Access token needed", "zh": "需要访问令牌"},
    "serve.error.token_text": {
        "en": "This wxtime server is shared on the network and needs its access token: open the link "
        "printed when it started (it ends with ?token=...).",
        "zh": "此 wxtime 服务在局域网内共享，需要访问令牌：请打开服务启动时打印的链接（以 ?token=… 结尾）。",
    },
    "serve.error.host": {
        "en": "This server answers only at its own address on this computer (127.0.0.1).",
        "zh": "此服务只接受本机地址（127.0.0.1）的访问。",
    },
    "serve.error.forbidden": {"en": "Request refused", "zh": "请求被拒绝"},
    "serve.error.csrf": {
        "en": "The form has expired or did not come from this page: reload the page and try again.",
        "zh": "表单已过期，或并非来自本页面：请刷新页面后重试。",
    },
    "serve.error.too_large": {
        "en": "The upload is over the limit of {mb} MB: send fewer or smaller files.",
        "zh": "上传内容超过 {mb} MB 的上限：请减少文件数量或拆分文件。",
    },
    "serve.error.too_many": {"en": "At most {n} files at once.", "zh": "一次最多上传 {n} 个文件。"},
    "serve.error.bad_form": {
        "en": "That request was not the page's form.",
        "zh": "该请求不是本页面提交的表单。",
    },
    "serve.error.internal": {
        "en": "Something went wrong inside wxtime, not in your file. It has been logged; try again, or "
        "tell whoever runs this server.",
        "zh": "wxtime 内部出错（不是你的文件的问题），已记录日志。请重试，或联系运行此服务的人。",
    },
    "serve.error.internal_heading": {"en": "Internal error", "zh": "内部错误"},
    # -- the next step (wxtime/nextstep.py) ----------------------------------------------
    "step.headline.push": {"en": "Push at {slot}", "zh": "在 {slot} 推送"},
    "step.headline.choose": {"en": "Push at {slot}", "zh": "在 {slot} 推送"},
    "step.headline.check_day": {
        "en": "Push at {slot}; tomorrow is a check day at {tomorrow}",
        "zh": "在 {slot} 推送；明天是探索日，改在 {tomorrow}",
    },
    "step.headline.weekend": {"en": " (weekends {slot})", "zh": "（周末 {slot}）"},
    "step.weekend.lifted": {
        "en": "Weekdays and weekends have different best times: {weekday} on Monday to Friday, {slot} on "
        "Saturday and Sunday. Over all days {slot} comes first only because weekends lift it. Pushing "
        "at each day's best is expected to earn about {gain} more a push than {choice} on the days that "
        "change, more than the {limit} risk you accept.",
        "zh": "工作日和周末的最佳时间不同：周一至周五 {weekday} 最好，周六、周日 {slot} 最好。"
        "全部日子混在一起看 {slot} 最高，只是因为周末把它拉高了。按各自的最佳时间推送，"
        "在改动的日子里预计每次打开率比 {choice} 高约 {gain}，超过可接受的 {limit}。",
    },
    "step.weekend.plain": {
        "en": "Weekdays and weekends have different best times: {weekday} on Monday to Friday, {slot} on "
        "Saturday and Sunday. Pushing at {slot} on weekends is expected to earn about {gain} more a "
        "push than {choice} there, more than the {limit} risk you accept.",
        "zh": "工作日和周末的最佳时间不同：周一至周五 {weekday} 最好，周六、周日 {slot} 最好。"
        "周末改在 {slot} 推送，预计每次打开率比 {choice} 高约 {gain}，超过可接受的 {limit}。",
    },
    "step.headline.learn": {
        "en": "Keep learning: push at {slot} on most days, tomorrow at {tomorrow}",
        "zh": "继续观察：多数日子在 {slot} 推送，明天 {tomorrow}",
    },
    "step.headline.start": {
        "en": "Try other times: keep {slot} on about half the days, tomorrow at {tomorrow}",
        "zh": "试试其他时间：大约一半的日子保持 {slot}，明天 {tomorrow}",
    },
    "step.why.push": {
        "en": "The data name {slot} the best slot.",
        "zh": "数据表明 {slot} 是最好的推送时间。",
    },
    "step.why.choose": {
        "en": "{slot} is the best bet: if another slot were in fact better, pushing at {slot} would "
        "cost about {loss} of the rate on average, within the {limit} you accept.",
        "zh": "{slot} 是最稳妥的选择：即使其他时间其实更好，在 {slot} 推送平均也只少约 {loss}，"
        "在可接受的 {limit}以内。",
    },
    "step.why.learn": {
        "en": "{slot} leads, but choosing it now could cost about {loss} of the rate, more than the "
        "{limit} you accept: the schedule tries the other slots more often.",
        "zh": "{slot} 暂时领先，但现在就定下来平均可能少约 {loss}，超过可接受的 {limit}："
        "所以排期会更多地试其他时间。",
    },
    "step.why.learn_unknown": {
        "en": "{slot} leads, but there are too few pushes to say how sure that is: the schedule "
        "tries the other slots often.",
        "zh": "{slot} 暂时领先，但推送太少，还说不准：排期会经常试其他时间。",
    },
    "step.why.start.moments": {
        "en": "Every push so far was at {slot}, so nothing shows whether another time is better. "
        "Candidates: {candidates} (when followers usually read: waking, lunch, after work, after "
        "dinner, before sleep). Each gets a few pushes in about {days} days.",
        "zh": "到目前为止每次都在 {slot} 推送，看不出其他时间是否更好。"
        "候选时间：{candidates}（粉丝常读的时刻：起床、午休、下班、饭后、睡前）。"
        "约 {days} 天内每个候选时间都会推几次。",
    },
    "step.why.start.reading_curve": {
        "en": "Every push so far was at {slot}, so nothing shows whether another time is better. "
        "Candidates: {candidates} (the hours your followers read most, from the hourly data). Each "
        "gets a few pushes in about {days} days.",
        "zh": "到目前为止每次都在 {slot} 推送，看不出其他时间是否更好。"
        "候选时间：{candidates}（按小时数据，粉丝阅读最多的时段）。约 {days} 天内每个候选时间都会推几次。",
    },
    "step.changed": {
        "en": "The audience seems to have changed recently, so the schedule checks the other slots "
        "more often.",
        "zh": "最近读者的习惯似乎有变化，因此排期会更频繁地检查其他时间。",
    },
    "step.explore": {
        "en": "About one day in {every} ({share}) goes to {others}, drawn at random so that the "
        "comparison stays fair (check days in the schedule).",
        "zh": "大约每 {every} 天有一天（{share}）随机安排在 {others}，这样比较才公平（即排期中的“探索”日）。",
    },
    "step.cost.posterior": {
        "en": "Expected cost of following it: about {opens} opens a month fewer than always pushing "
        "at the best slot (which is not yet known for sure).",
        "zh": "按此排期，预计每月比始终在最佳时间推送少约 {opens} 次打开（最佳时间还不能确定）。",
    },
    "step.cost.assumed": {
        "en": "If the new times were {shortfall} worse, trying them would cost about {opens} opens "
        "a month; if one is better, it gains.",
        "zh": "如果新时间差 {shortfall}，试验每月约少 {opens} 次打开；如果有更好的时间，则会多。",
    },
    "step.keeps_checking": {
        "en": "Run wxtime again each week with the new data: the schedule updates itself.",
        "zh": "每周用新数据再运行一次，排期会自动更新。",
    },
    "step.role.choice": {"en": "choice", "zh": "常规"},
    "step.role.explore": {"en": "check day", "zh": "探索"},
    "step.col.date": {"en": "date", "zh": "日期"},
    "step.col.weekday": {"en": "weekday", "zh": "星期"},
    "step.col.slot": {"en": "slot", "zh": "推送时间"},
    "step.col.role": {"en": "day type", "zh": "类型"},
    "step.col.probability": {"en": "probability", "zh": "抽中概率"},
    "step.ics.calendar": {"en": "wxtime push schedule", "zh": "wxtime 推送排期"},
    "step.ics.choice": {"en": "Push at {slot}", "zh": "{slot} 群发"},
    "step.ics.explore": {"en": "Push at {slot} (exploration day)", "zh": "{slot} 群发（探索日）"},
    "step.ics.description": {
        "en": "wxtime schedule: push at {slot} (drawn with probability {probability}). Set it as a "
        "scheduled push (定时群发) today or tomorrow.",
        "zh": "wxtime 排期：{slot} 群发（抽中概率 {probability}）。定时群发只能设当天或次日。",
    },
    "step.ics.reminder": {
        "en": "Tomorrow {slot}: set the scheduled push (定时群发)",
        "zh": "明天 {slot} 定时群发",
    },
    "step.headline.test": {"en": "Test: follow the schedule below", "zh": "测试：按下面的排期推送"},
    "step.why.test.randomized": {
        "en": "A daily rotation between {slots}, each slot on each weekday equally often, over {days} days.",
        "zh": "在 {slots} 之间每天轮换，{days} 天内每个时间在每个星期几出现的次数相同。",
    },
    "step.why.test.blocked": {
        "en": "Stretches of days at each of {slots} in random order, over {days} days.",
        "zh": "{slots} 各连推一段时间，顺序随机，共 {days} 天。",
    },
    "step.why.test.split": {
        "en": "The same article to random tag groups at {slots} on each push day, over {days} days "
        "(each follower gets one push that day; at most 4 mass pushes a month).",
        "zh": "每个推送日把同一篇文章按随机标签分组，分别在 {slots} 发出，共 {days} 天"
        "（当天每个粉丝只收到一次；每月最多 4 次群发）。",
    },
    "step.role.test": {"en": "test", "zh": "测试"},
    "step.col.group": {"en": "group", "zh": "分组"},
    "step.group": {"en": "group {group}", "zh": "{group} 组"},
    "step.ics.test": {"en": "Push at {slot} (test)", "zh": "{slot} 群发（测试）"},
    "cli.schedule": {
        "en": "The next {days} days ({account}):",
        "zh": "接下来 {days} 天的排期（{account}）：",
    },
    "account.subscription": {"en": "subscription account, one push a day", "zh": "订阅号，每天一次群发"},
    "account.service": {
        "en": "service account, 4 pushes a month per follower",
        "zh": "服务号，每个粉丝每月最多 4 次群发",
    },
    "cli.wrote": {"en": "wrote {path} ({rows} rows)", "zh": "已写入 {path}（{rows} 行）"},
    "cli.plan.out_of_reach": {
        "en": "A {design} test would not find a {lift} lift within {limit} days: out of reach. Follow the "
        "next step instead (wxtime plan without --design).",
        "zh": "{design}测试在 {limit} 天内发现不了 {lift} 的提升：做不到。请按下一步的排期推送"
        "（wxtime plan，不加 --design）。",
    },
    "cli.plan.design": {
        "en": "A {design} test between {slots} finds a {lift} lift with 80% power in about {days} days.",
        "zh": "在 {slots} 之间做{design}测试，约 {days} 天能以 80% 的把握发现 {lift} 的提升。",
    },
    "weekday.0": {"en": "Mon", "zh": "周一"},
    "weekday.1": {"en": "Tue", "zh": "周二"},
    "weekday.2": {"en": "Wed", "zh": "周三"},
    "weekday.3": {"en": "Thu", "zh": "周四"},
    "weekday.4": {"en": "Fri", "zh": "周五"},
    "weekday.5": {"en": "Sat", "zh": "周六"},
    "weekday.6": {"en": "Sun", "zh": "周日"},
    # -- the headline ---------------------------------------------------------------
    "push_at": {"en": "Push at {slot}", "zh": "在 {slot} 推送"},
    "keep_testing": {"en": "Keep testing: {best} leads {rival}", "zh": "继续测试：{best} 暂时领先 {rival}"},
    "not_enough": {"en": "Not enough data yet", "zh": "数据还不够"},
    "status.winner": {"en": "decided", "zh": "已有结论"},
    "status.inconclusive": {"en": "keep learning", "zh": "继续观察"},
    "status.not_enough_data": {"en": "not enough data", "zh": "数据不足"},
    "status.push": {"en": "decided", "zh": "已有结论"},
    "status.choose": {"en": "not settled: the best bet, with its risk", "zh": "尚无定论：按风险选定"},
    "status.learn": {"en": "keep learning", "zh": "继续观察"},
    "status.start": {"en": "try other times", "zh": "试试其他时间"},
    "status.test": {"en": "test", "zh": "测试"},
    # -- verdict sentences ----------------------------------------------------------
    "verdict.winner": {
        "en": "{best} beats every other slot on {metric}: {best_rate} against {rival_rate} at {rival}, "
        "{lift} higher ({level} test interval {low} to {high}). Chance to be best: {p_best}.",
        "zh": "按{metric}，{best} 优于其他所有时段：{best_rate}，{rival} 为 {rival_rate}，"
        "相对高 {lift}（检验的 {level} 区间 {low} 至 {high}）。成为最优时段的概率：{p_best}。",
    },
    "verdict.inconclusive": {
        "en": "Not settled yet: {best} leads on {metric}, {best_rate} against {rival_rate} at {rival} "
        "({lift} higher), but the test cannot yet tell that from chance ({level} test interval {low} to "
        "{high}). Chance to be best: {p_best}.",
        "zh": "还没有定论：按{metric}，{best} 暂时领先，{best_rate}，{rival} 为 {rival_rate}"
        "（相对高 {lift}），但检验还不能排除偶然（检验的 {level} 区间 {low} 至 {high}）。"
        "成为最优时段的概率：{p_best}。",
    },
    "based_on_days": {
        "en": "Based on {pushes} pushes over {days} days.",
        "zh": "依据：{days} 天内的 {pushes} 次推送。",
    },
    "based_on": {"en": "Based on {pushes} pushes.", "zh": "依据：{pushes} 次推送。"},
    "verdict.not_enough_data": {
        "en": "Not enough data yet: {why}.",
        "zh": "数据还不够：{why}。",
    },
    "more_days": {
        "en": "Going on as now, about {more} more days would settle a lead of {lift} (relative) "
        "with probability {power}.",
        "zh": "按目前的方式继续，大约再测 {more} 天，就有 {power} 的把握判定 {lift} 的差距。",
    },
    "more_days_rough": {
        "en": " This is rough: the variation it rests on is still uncertain.",
        "zh": " 这只是粗略估计：所依据的波动本身还不确定。",
    },
    "out_of_reach": {
        "en": "Going on as now, a lead of {lift} (relative) is out of reach (over a year).",
        "zh": "按目前的方式继续，{lift} 的差距需要一年以上才能判定。",
    },
    "advice_randomized": {
        "en": "Quickest way to settle it: a daily randomised rotation between {slots} for about {days} days "
        "(the schedule is below).",
        "zh": "最快的办法：在 {slots} 之间每天随机轮换，大约 {days} 天（排期见下方）。",
    },
    "advice_split": {
        "en": "Quickest way to settle it: a split test, the same article to two random tag groups "
        "at {slots}, "
        "for about {days} days (the schedule is below).",
        "zh": "最快的办法：分组推送，把同一篇文章分别在 {slots} 发给两个随机分组的粉丝，"
        "大约 {days} 天（排期见下方）。",
    },
    "disagree.winner": {
        "en": "The chance that {slot} is best is only {p_best}: the test shows {slot} beats each rival it "
        "was compared with, while the chance also counts that an untried or thin slot could be better still.",
        "zh": "{slot} 是最佳时间的可能性只有 {p_best}：检验表明 {slot} 胜过与之比较的每个时段，"
        "而这个可能性还考虑了推送很少的时段也许更好。",
    },
    "disagree.inconclusive": {
        "en": "The chance that {slot} is best is {p_best}, yet the test is not settled: the chance leans on "
        "what the slots share (they are shrunk towards each other), the test asks each gap to stand alone "
        "at the stated level.",
        "zh": "{slot} 是最佳时间的可能性为 {p_best}，但检验还没有定论：这个可能性借用了各时段之间的共同信息"
        "（估计会相互靠拢），而检验要求每个差距单独在设定的水平上显著。",
    },
    "thin_rival": {
        "en": "{slot} has a higher raw rate, but it rests on only {n} {unit}; it is not the better bet.",
        "zh": "{slot} 的原始比率更高，但只依据 {n} {unit}，不是更稳妥的选择。",
    },
    # -- reasons ------------------------------------------------------------------
    "why.no_residual_df": {
        "en": "each slot was tried in a single stretch, so slot and time cannot be told apart; "
        "run the slots again in a random order, or split the audience by tag groups",
        "zh": "每个时段只连续测了一段时间，时段的影响与时间的影响无法区分；"
        "请按随机顺序再轮换一遍，或者按标签分组推送",
    },
    "why.single_unit_slots": {
        "en": "{slots} were tried in a single stretch, so their comparison is confounded with time",
        "zh": "{slots} 只测了一段时间，它们的比较与时间混在一起",
    },
    "why.few_df": {
        "en": "the comparison rests on {df} degrees of freedom; at least 3 are needed before anything "
        "can be declared",
        "zh": "比较只有 {df} 个自由度，至少需要 3 个才能下结论",
    },
    "why.slot_level": {
        "en": "the file has one row per slot, so push-to-push variation is unknown and no test is possible "
        "({best} has the highest pooled rate, descriptively)",
        "zh": "文件每个时段只有一行汇总，无法知道每次推送之间的波动，不能做检验（从汇总看 {best} 最高）",
    },
    "why.single_slot": {
        "en": "only one slot ({best}) is in the data: there is nothing to compare",
        "zh": "数据中只有一个时段（{best}），无从比较",
    },
    "why.no_noise": {
        "en": "the pushes fit their slots exactly, so their variation cannot be estimated",
        "zh": "各次推送与所属时段完全吻合，无法估计推送之间的波动",
    },
    # -- the advisor -------------------------------------------------------------
    "advice.stop": {
        "en": "Settled: {slot} is the best slot (on day {day} the evidence cleared the sequential "
        "boundary against every other slot).",
        "zh": "已有定论：{slot} 是最好的推送时间（第 {day} 天的证据已越过与其他所有时段比较的序贯边界）。",
    },
    "advice.footer": {"en": "seed {seed}", "zh": "随机种子 {seed}"},
    "share_tomorrow": {"en": "share of days", "zh": "排期中的占比"},
    "ci_low": {"en": "ci_low", "zh": "区间下限"},
    "ci_high": {"en": "ci_high", "zh": "区间上限"},
    "shrunk_low": {"en": "shrunk_low", "zh": "收缩区间下限"},
    "shrunk_high": {"en": "shrunk_high", "zh": "收缩区间上限"},
    "cli.design": {
        "en": "design: {design}{order} (compared: {unit})",
        "zh": "测试方式：{design}{order}（比较的单位：{unit}）",
    },
    "cli.fixed_order": {
        "en": ", slots in a fixed cycle, not drawn at random",
        "zh": "，时段按固定顺序轮换，不是随机安排",
    },
    # -- the report -----------------------------------------------------------------
    "report.title": {"en": "When to push: {source}", "zh": "何时推送：{source}"},
    "report.status": {"en": "Status", "zh": "状态"},
    "report.chance_best": {"en": "Chance each slot is the best", "zh": "各时段成为最优时段的概率"},
    "report.chance_note": {
        "en": "From the model of the whole study; the bars add up to 100%.",
        "zh": "由整个测试的模型算出，各条合计为 100%。",
    },
    "report.no_chance": {
        "en": "No probability can be given yet: {why}.",
        "zh": "暂时无法给出概率：{why}。",
    },
    "report.lift": {
        "en": "Allowing for every slot at once (shrunk estimates): {best} over {rival} {lift} ({level} "
        "credible interval {low} to {high})",
        "zh": "综合所有时段（收缩估计）：{best} 比 {rival} 高 {lift}（{level} 可信区间 {low} 至 {high}）",
    },
    "report.rests_on": {
        "en": "Based on {pushes} pushes over {days} days ({first} to {last}) at {slots} slots. "
        "Metric: {metric} ({definition}).",
        "zh": "依据：{first} 至 {last}，共 {days} 天、{slots} 个时段的 {pushes} 次推送。"
        "指标：{metric}（{definition}）。",
    },
    "report.rests_on_short": {
        "en": "Based on {pushes} rows at {slots} slots. Metric: {metric} ({definition}).",
        "zh": "依据：{slots} 个时段的 {pushes} 行数据。指标：{metric}（{definition}）。",
    },
    "report.skipped": {"en": "Left out: {what}.", "zh": "未纳入：{what}。"},
    "report.next_step": {"en": "Next step", "zh": "下一步"},
    "report.next_push": {
        "en": "Push at {slot} every day. Re-run this report once a month to see that it still holds.",
        "zh": "每天在 {slot} 推送。每月重新生成一次本报告，确认结论依然成立。",
    },
    "report.next_test": {
        "en": "Run a {design} for the next {shown} days as scheduled below, then re-run this report. "
        "About {days} days are needed in all.",
        "zh": "接下来 {shown} 天按下表进行{design}，然后重新生成本报告。总共大约需要 {days} 天。",
    },
    "report.next_collect": {
        "en": "Rotate the slots day by day in the random order below for {shown} days, then re-run "
        "this report.",
        "zh": "接下来 {shown} 天按下表的随机顺序每天轮换推送时段，然后重新生成本报告。",
    },
    "report.all_days": {"en": "All {n} days", "zh": "全部 {n} 天"},
    "report.download_csv": {"en": "Download the schedule (CSV)", "zh": "下载排期（CSV）"},
    "report.download_ics": {"en": "Add to a calendar (.ics)", "zh": "加入日历（.ics）"},
    "report.evidence": {"en": "The evidence", "zh": "依据"},
    "report.rates": {"en": "{metric} by slot", "zh": "各时段的{metric}"},
    "report.rates_note": {
        "en": '"Each slot alone" uses only that slot\'s {unit}; "shrunk" pulls every slot towards the others '
        "as far as the data allow, most where evidence is thin. The test in the recommendation compares "
        "each slot alone; the chance to be best and the expected loss use the shrunk rates. The funnel "
        "below shows pooled rates (totals divided). Intervals are {level}.",
        "zh": "“各时段单独估计”只用该时段自身的推送数据；“收缩估计”按数据允许的程度把各时段向"
        "其他时段拉近，证据越少拉得越多。建议中的检验比较的是各时段单独估计；最优概率和期望损失用的是收缩估计。"
        "下方漏斗显示合计比率（合计数相除）。"
        "区间为 {level}。",
    },
    "report.funnel": {"en": "The funnel", "zh": "推送漏斗"},
    "report.funnel_note": {
        "en": "Totals of every push at each slot, divided by each other (pooled rates).",
        "zh": "各时段所有推送的合计数相除（合计比率）。",
    },
    "report.age": {"en": "Comparing pushes at the same age", "zh": "在相同时长下比较推送"},
    "report.age_note": {
        "en": "Counts are taken {age} hours after each push, when reads are essentially complete; "
        "{young} pushes were too young and are left out.",
        "zh": "各次推送都取发送后 {age} 小时的数据，此时阅读已基本完整；{young} 次推送时间太短，未纳入。",
    },
    "report.read_curves": {"en": "How opens arrive after a push", "zh": "推送后打开数如何累积"},
    "report.weekday": {"en": "Slot by weekday", "zh": "时段 × 星期"},
    "report.weekday_note": {
        "en": "Pooled rate in each cell; blank cells were never tried.",
        "zh": "每格为合计比率；空白格表示该组合没有推送过。",
    },
    "cli.check": {
        "en": "check {name}: {status}: {detail}; {meaning}",
        "zh": "检查“{name}”：{status}：{detail}；{meaning}",
    },
    "cli.did_you_mean": {"en": "{extra} (did you mean {option}?)", "zh": "{extra}（是不是想用 {option}？）"},
    "step.file": {"en": "wxtime-schedule", "zh": "wxtime-推送排期"},
    "serve.open": {"en": "wxtime serve: open {link}", "zh": "wxtime serve：请打开 {link}"},
    "serve.or": {"en": "or {link}", "zh": "或 {link}"},
    "serve.shared": {
        "en": "shared beyond this computer: anyone with this link (it holds the access token) can use "
        "the app; plain HTTP, so keep it to a network you trust",
        "zh": "已对本机以外开放：持有此链接（内含访问令牌）的人都能使用；"
        "连接未加密（HTTP），只在信任的网络中使用",
    },
    "serve.stop_hint": {
        "en": "stop with Ctrl+C; uploads and results are kept only while it runs",
        "zh": "按 Ctrl+C 停止；上传的文件和结果只在运行期间保留",
    },
    "serve.stopped": {
        "en": "wxtime serve: stopped; its uploads and results are gone",
        "zh": "wxtime serve：已停止，上传的文件和结果已删除",
    },
    "report.weekend.none": {
        "en": "Whether weekends need their own time cannot be told from these data (each slot needs "
        "a few pushes on weekdays and on weekends, pushed on randomly chosen days).",
        "zh": "这些数据还看不出周末是否需要单独的推送时间"
        "（每个时间都需要在工作日和周末各推送几次，且日子随机安排）。",
    },
    "report.weekend.same": {
        "en": "Weekends rank the slots as weekdays do, as far as these data show (test of a "
        "different weekend ranking: p = {p}), so every day has the same choice.",
        "zh": "就这些数据来看，周末各时间的排名与工作日相同（周末排名不同的检验 p = {p}），"
        "所以每天选同一个时间。",
    },
    "report.weekend.differs": {
        "en": "Weekends may rank the slots differently (p = {p}: best {weekday} on weekdays, {weekend} "
        "on weekends), but the gain is not above the risk accepted, so every day keeps the same choice.",
        "zh": "周末各时间的排名可能不同（p = {p}：工作日最好是 {weekday}，周末是 {weekend}），"
        "但收益没有超过可接受的风险，所以每天仍选同一个时间。",
    },
    "report.weekend.same_best": {
        "en": "Weekends rank the other slots differently (p = {p}), but {weekday} is best on both "
        "kinds of day, so every day keeps it.",
        "zh": "周末其他时间的排名与工作日不同（p = {p}），但工作日和周末都是 {weekday} 最好，"
        "所以每天都在 {weekday} 推送。",
    },
    "report.weekend.used": {
        "en": "Weekends rank the slots differently (p = {p}): the schedule pushes at {weekday} on "
        "weekdays and at {weekend} on Saturdays and Sundays.",
        "zh": "周末各时间的排名不同（p = {p}）：排期在工作日 {weekday} 推送，周六、周日 {weekend} 推送。",
    },
    "report.design": {"en": "How the test was run, and the checks", "zh": "测试方式与检查"},
    "report.design_text": {
        "en": "Design: {design}. What was compared: {unit} ({n} in all), because {why}.",
        "zh": "测试方式：{design}。比较的单位是{unit}（共 {n} 个），因为{why}。",
    },
    "report.why.push": {
        "en": "each day's slot was drawn at random, so each push is a fair draw",
        "zh": "每天的推送时段是随机决定的，每次推送都是公平的一次比较",
    },
    "report.why.push_cyclic": {
        "en": "each push went out on its own day; the slots followed a fixed cycle rather than a "
        "random draw, so the comparison assumes nothing else followed the same cycle",
        "zh": "每次推送各占一天；时段按固定顺序轮换而不是随机决定，"
        "所以这个比较假定没有别的因素跟着同样的周期变化",
    },
    "report.why.stretch": {
        "en": "days within a stretch share their articles' ups and downs, so only whole stretches are "
        "independent evidence",
        "zh": "同一段时间内的几天，文章质量起伏相近，只有整段才算相互独立的证据",
    },
    "report.why.day": {
        "en": "each day every group got the same article, so slots are compared within each day",
        "zh": "每天各分组收到同一篇文章，因此在同一天内比较各时段",
    },
    "report.unit.push": {"en": "pushes", "zh": "次推送"},
    "report.unit.stretch": {
        "en": "stretches of consecutive days at one slot",
        "zh": "轮换段（同一时段连续推送的若干天）",
    },
    "report.unit.day": {"en": "days", "zh": "天"},
    "report.check.ok": {"en": "ok", "zh": "正常"},
    "report.check.warn": {"en": "note", "zh": "注意"},
    "report.check.fail": {"en": "problem", "zh": "有问题"},
    "report.metrics": {"en": "Does the pick depend on the metric?", "zh": "换一个指标，结论会变吗？"},
    "report.metrics_note": {
        "en": "The same analysis for every metric the data have.",
        "zh": "对数据中每个可用指标做同样的分析。",
    },
    "report.appendix": {"en": "Appendix for analysts", "zh": "附录（供数据分析人员参考）"},
    "report.tests": {"en": "Every test run", "zh": "全部检验"},
    "report.tests_note": {
        "en": "The decision uses the t tests of the leader against each other slot; the first row (do the "
        "slots differ at all?) shuffles the slots over the randomised units (a permutation test). The "
        "others are cross-checks: the F test on its reference distribution; the reader-level z-test, when "
        "shown, treats readers as independent and is not valid for a rotation.",
        "zh": "结论依据领先时段与其他每个时段的 t 检验；第一行（各时段是否有差别）在随机化的单位之间"
        "打乱时段（置换检验）。其余是交叉验证：按参考分布计算的 F 检验；如显示了按读者计的 z 检验，"
        "它把读者当作相互独立，对轮换测试并不成立。",
    },
    "report.model": {"en": "The model", "zh": "模型"},
    "report.model_text": {
        "en": "Slot effects on the logit scale, estimated on {unit} ({n}); residual {df} degrees of freedom; "
        "{variance}. Posterior: hierarchical normal across slots with the between-slot spread and the "
        "noise both uncertain (seed {seed}). Decision: the leader beats every other slot, each in its "
        "own t test at {alpha}.",
        "zh": "在 logit 尺度上估计各时段效应，比较单位为{unit}（{n} 个）；残差自由度 {df}；{variance}。"
        "后验：各时段服从层次正态模型，时段间差异与波动都视为不确定（随机种子 {seed}）。"
        "决策规则：领先时段在与其他每个时段的 t 检验中都显著更好，显著性水平 {alpha}。",
    },
    "report.variance.pooled": {"en": "one pooled variance", "zh": "各时段共用一个方差"},
    "report.variance.slot": {"en": "each slot its own variance (Welch)", "zh": "各时段各自的方差（Welch）"},
    "report.beijing_time": {"en": " Beijing time", "zh": "（北京时间）"},
    "report.stamp": {
        "en": "wxtime {version} · data {file} (sha256 {hash}) · seed {seed} · generated {when}",
        "zh": "wxtime {version} · 数据 {file}（sha256 {hash}）· 随机种子 {seed} · 生成于 {when}",
    },
    "report.no_cjk": {
        "en": "No Chinese font was found on the machine that built this report, so the charts use "
        "English labels.",
        "zh": "生成本报告的电脑上没有中文字体，因此图表使用英文标签（可安装 fonts-noto-cjk）。",
    },
    "report.sample": {
        "en": "These are the shipped sample data: a synthetic replica of a campus-jobs account that kept "
        "each slot for a week, twice over, and finally chose 12:00. The analysis below does not know that.",
        "zh": "这是随附的示例数据：模拟一个校园求职公众号的轮换测试（每个时段连推一周，"
        "轮换两遍，该号最后选择了 12:00）。"
        "下面的分析并不知道这一点。",
    },
    "report.col.test": {"en": "test", "zh": "检验"},
    "report.col.comparison": {"en": "comparison", "zh": "比较"},
    "report.col.estimate": {"en": "estimate", "zh": "估计值"},
    "report.col.p": {"en": "p-value", "zh": "p 值"},
    "report.col.p_holm": {
        "en": "p compared with alpha (Holm for cross-checks)",
        "zh": "与 α 比较的 p（对照检验经 Holm 校正）",
    },
    "report.col.check": {"en": "check", "zh": "检查项"},
    "report.col.result": {"en": "result", "zh": "结果"},
    "report.col.meaning": {"en": "what it means", "zh": "含义"},
    "report.col.metric": {"en": "metric", "zh": "指标"},
    "report.col.best": {"en": "best slot", "zh": "最优时段"},
    "report.col.decision": {"en": "decision", "zh": "结论"},
    "report.col.date": {"en": "date", "zh": "日期"},
    "report.col.group": {"en": "group", "zh": "分组"},
    "report.all_slots_equal": {"en": "all slots equal", "zh": "各时段相同"},
    "report.design.daily": {"en": "push daily", "zh": "每天推送"},
    # -- health checks (name, detail, and what each outcome means) ------------------
    "check.single_unit_slots.name": {"en": "slots tried in one stretch", "zh": "只测了一段的时段"},
    "check.single_unit_slots.detail": {
        "en": "tried in one stretch only: {slots}",
        "zh": "只连续测了一段：{slots}",
    },
    "check.single_unit_slots.confounded": {
        "en": "slot and time are confounded for these slots: no winner can be declared; rotate again in a "
        "random order, or split the audience by tag groups",
        "zh": "这些时段的影响与时间的影响混在一起，无法判定胜出者；请按随机顺序再轮换一遍，或按标签分组推送",
    },
    "check.autocorrelation.name": {"en": "articles running in series", "zh": "文章质量的连续性"},
    "check.autocorrelation.detail": {
        "en": "lag-1 correlation of push residuals in time order: {r}",
        "zh": "按时间顺序，相邻两次推送残差的相关系数：{r}",
    },
    "check.autocorrelation.blocked_high": {
        "en": "article quality runs in series; this is why whole stretches, not days, are compared",
        "zh": "文章质量有连续性；所以比较的是整段，而不是单独的每一天",
    },
    "check.autocorrelation.blocked_ok": {
        "en": "whole stretches are compared, so days within a stretch may resemble each other",
        "zh": "比较的是整段，同一段内的几天彼此相似也没关系",
    },
    "check.autocorrelation.randomized_high": {
        "en": "article quality runs in series; the slots were drawn day by day, so this favours no slot",
        "zh": "文章质量有连续性；但时段是每天随机决定的，不会偏向任何时段",
    },
    "check.autocorrelation.cyclic_high": {
        "en": "article quality runs in series, and the slots followed a fixed cycle: a series that "
        "lines up with the cycle would favour one slot",
        "zh": "文章质量有连续性，而时段是按固定顺序轮换的：如果文章的起伏正好跟着这个顺序，会偏向某个时段",
    },
    "check.autocorrelation.cyclic_ok": {
        "en": "no runs of similar articles; the slots followed a fixed cycle, so that is what keeps "
        "the comparison fair here",
        "zh": "没有发现相似文章连续出现；时段按固定顺序轮换，所以这一点正是比较公平的前提",
    },
    "check.fixed_order.name": {"en": "order of the slots", "zh": "时段的轮换顺序"},
    "check.fixed_order.detail": {
        "en": "the slots followed a fixed cycle ({slots}), not a random order",
        "zh": "时段按固定顺序轮换（{slots}），不是随机安排的",
    },
    "check.fixed_order.warn": {
        "en": "anything that repeats with the cycle (weekdays, a series of articles) can pass for a "
        "slot effect; draw each day's slot at random next time (wxtime plan)",
        "zh": "凡是跟着轮换周期重复的因素（星期几、系列文章）都可能被误当成时段的影响；"
        "下次请每天随机安排时段（wxtime plan）",
    },
    "check.autocorrelation.randomized_ok": {
        "en": "slots were drawn day by day, so runs of similar articles favour no slot",
        "zh": "时段是每天随机决定的，相似文章连续出现也不会偏向任何时段",
    },
    "check.trend.name": {"en": "drift over the study", "zh": "测试期间的整体趋势"},
    "check.trend.detail": {
        "en": "{monthly} per 30 days (p = {p})",
        "zh": "每 30 天变化 {monthly}（p = {p}）",
    },
    "check.trend.none": {
        "en": "no clear drift: a change this size could be chance (only p < 0.01 counts as drift here)",
        "zh": "没有明确的趋势：这么大的变化可能只是偶然（这里只有 p < 0.01 才算趋势）",
    },
    "check.trend.fixed": {
        "en": "rates drift over the study; in a rotation run in a fixed order this can favour the slots that "
        "came later (or earlier): randomise the order of the stretches",
        "zh": "测试期间比率整体在变化；按固定顺序轮换时，这可能偏向排在后面（或前面）的时段："
        "请随机安排各段的顺序",
    },
    "check.trend.random": {
        "en": "rates drift over the study; a random order keeps the comparison fair, only noisier",
        "zh": "测试期间比率整体在变化；随机顺序能保证比较公平，只是噪声更大",
    },
    "check.unequal_noise.name": {"en": "unequal noise between slots", "zh": "各时段波动是否相同"},
    "check.unequal_noise.detail": {
        "en": "Brown-Forsythe p = {p}; sd of the units by slot {low} to {high} (logit scale)",
        "zh": "Brown-Forsythe 检验 p = {p}；各时段单位的标准差 {low} 至 {high}（logit 尺度）",
    },
    "check.unequal_noise.unequal_slot": {
        "en": "slots differ in how much their pushes vary; each slot's own variance is used (Welch)",
        "zh": "各时段推送的波动大小不同；分析对每个时段使用各自的方差（Welch）",
    },
    "check.unequal_noise.unequal_pooled": {
        "en": "slots may differ in how much their pushes vary; too few units per slot to tell, so one pooled "
        "variance is used",
        "zh": "各时段推送的波动可能不同；但每个时段的单位太少，无法区分，因此共用一个方差",
    },
    "check.unequal_noise.equal_slot": {
        "en": "slots vary about equally; each slot's own variance is used (Welch)",
        "zh": "各时段波动大致相同；分析对每个时段使用各自的方差（Welch）",
    },
    "check.unequal_noise.equal_pooled": {
        "en": "slots vary about equally; one pooled variance is used",
        "zh": "各时段波动大致相同；分析共用一个方差",
    },
    "check.sample_ratio.name": {"en": "group sizes", "zh": "分组人数"},
    "check.sample_ratio.detail": {
        "en": "deliveries by group {shares}; chi-square {chi2}, p = {p}",
        "zh": "各分组送达占比 {shares}；卡方 {chi2}，p = {p}",
    },
    "check.sample_ratio.ok": {"en": "groups got the shares intended", "zh": "各分组人数符合预期"},
    "check.sample_ratio.fail": {
        "en": "groups are not the sizes intended: check how the audience was split",
        "zh": "各分组人数与预期不符：请检查分组方式",
    },
    "check.slot_by_day.name": {"en": "slot effect varying with the article", "zh": "时段效应是否随文章变化"},
    "check.slot_by_day.detail": {
        "en": "slot x day interaction sd {sd} (logit scale), beyond binomial noise",
        "zh": "时段 × 日期交互作用的标准差 {sd}（logit 尺度，超出二项噪声的部分）",
    },
    "check.slot_by_day.high": {
        "en": "the slot effect varies with the article; the recommended test counts this as noise, the "
        "reader-level and CMH tests do not",
        "zh": "时段效应随文章变化；推荐的检验已把它计为噪声，读者级检验和 CMH 检验没有",
    },
    "check.slot_by_day.low": {
        "en": "the slot effect is about the same every day",
        "zh": "每天的时段效应大致相同",
    },
    "check.weekday_balance.name": {"en": "weekday balance", "zh": "星期分布是否均衡"},
    "check.weekday_balance.detail": {
        "en": "slot x weekday chi-square {chi2}, p = {p}; {missing} empty slot-weekday cells",
        "zh": "时段 × 星期卡方 {chi2}，p = {p}；{missing} 个时段-星期组合没有推送",
    },
    "check.weekday_balance.warn": {
        "en": "slots saw different weekdays: weekday effects can masquerade as slot effects",
        "zh": "各时段遇到的星期不同：星期的影响可能被误当成时段的影响",
    },
    "check.weekday_balance.ok": {
        "en": "every slot saw a similar mix of weekdays",
        "zh": "各时段遇到的星期分布相近",
    },
    "check.weekday_balance.sparse": {
        "en": "no imbalance beyond chance; with few pushes per slot not every slot met every weekday",
        "zh": "没有超出偶然的不均衡；每个时段推送不多，所以不是每个时段都遇到了每个星期",
    },
    "check.weekday_balance.adjusted": {
        "en": "weekday effects were estimated within each stretch and removed before the slots were "
        "compared, so the weekday mix cannot favour a slot",
        "zh": "星期的影响已在每个轮换段内估计并扣除后再比较时段，星期分布不会偏向某个时段",
    },
    "check.allocation.name": {"en": "how the slots were drawn", "zh": "时段是如何安排的"},
    "check.allocation.detail": {
        "en": "{slot}: {first} of the pushes in the first half of the study, {second} in the second "
        "(p = {p})",
        "zh": "{slot}：前半段占推送的 {first}，后半段占 {second}（p = {p}）",
    },
    "check.allocation.ok": {
        "en": "the slots kept similar shares over the study",
        "zh": "测试期间各时段所占比例大致不变",
    },
    "check.allocation.moved": {
        "en": "the slots' shares changed over the study. If the schedule followed earlier results (a bandit, "
        "or moving days to the leader), the rates can be biased: keep the probability column of wxtime's "
        "schedules in the file so that the pushes can be weighted",
        "zh": "测试期间各时段所占比例发生了变化。如果排期是根据之前的结果调整的"
        "（多臂老虎机，或把日子挪给领先时段），比率可能有偏："
        "请在文件中保留 wxtime 排期里的概率列，以便对推送加权",
    },
    "check.allocation.weighted": {
        "en": "slots were drawn with logged probabilities that changed over the study; each push is weighted "
        "by 1/sqrt(probability) so that following earlier results does not bias the rates",
        "zh": "时段按记录下来的概率抽取，且概率在测试期间有变化；每次推送按 1/√概率 加权，"
        "避免因跟随之前的结果而产生偏差",
    },
    "check.change.name": {"en": "recent change", "zh": "近期变化"},
    "check.change.detail": {
        "en": "{slot}: {change} against the other slots since {since} (p = {p}, adjusted for the slots)",
        "zh": "{slot}：自 {since} 起相对其他时段变化 {change}（p = {p}，已按时段数校正）",
    },
    "check.change.ok": {
        "en": "no slot moved against the others in the last 8 weeks beyond chance",
        "zh": "最近 8 周没有哪个时段相对其他时段出现超出偶然的变化",
    },
    "check.change.warn": {
        "en": "a slot moved against the others recently (a new term, a holiday, a different audience): "
        "the schedule tries the other slots more often until it is clear again",
        "zh": "最近有时段相对其他时段发生了变化（开学、假期或读者变化）："
        "排期会更频繁地尝试其他时间，直到重新明朗",
    },
    "check.young_pushes.name": {"en": "pushes still collecting reads", "zh": "仍在累积阅读的推送"},
    "check.young_pushes.detail": {
        "en": "{n} push(es) younger than {hours} hours on {as_of}{ids}",
        "zh": "截至 {as_of}，有 {n} 次推送发出不足 {hours} 小时{ids}",
    },
    "check.young_pushes.warn": {
        "en": "their counts are still growing: compare pushes at the same age",
        "zh": "它们的数据还在增长：应在相同时长下比较推送",
    },
    "check.young_pushes.ok": {"en": "every push is old enough", "zh": "所有推送的时长都足够"},
    "check.thin_slots.name": {"en": "slots with few pushes", "zh": "推送次数很少的时段"},
    "check.thin_slots.detail": {
        "en": "slots with fewer than {n} pushes: {slots}",
        "zh": "推送少于 {n} 次的时段：{slots}",
    },
    "check.thin_slots.warn": {
        "en": "their estimates rest on very little and are shrunk hard",
        "zh": "这些时段的估计依据很少，会被大幅收缩",
    },
    "check.thin_slots.ok": {"en": "every slot has several pushes", "zh": "每个时段都有多次推送"},
    "none": {"en": "none", "zh": "无"},
    # -- test names ------------------------------------------------------------------
    "test.anova_f": {
        "en": "ANOVA F, all slots equal, over {unit}",
        "zh": "方差分析 F 检验（各时段相同，按{unit}）",
    },
    "test.welch_f": {
        "en": "Welch F, all slots equal, over {unit}",
        "zh": "Welch F 检验（各时段相同，按{unit}）",
    },
    "test.permutation_welch": {
        "en": "permutation test of Welch's F, all slots equal, over {unit}",
        "zh": "Welch F 置换检验（各时段相同，按{unit}）",
    },
    "test.permutation_f": {
        "en": "permutation test of F, all slots equal, over {unit}",
        "zh": "F 统计量置换检验（各时段相同，按{unit}）",
    },
    "test.wald_f": {
        "en": "Wald F, all slots equal, over {unit}",
        "zh": "Wald F 检验（各时段相同，按{unit}）",
    },
    "test.t": {"en": "t test over {unit}", "zh": "t 检验（按{unit}）"},
    "test.permutation": {"en": "permutation test over {unit}", "zh": "置换检验（按{unit}）"},
    "test.cmh_odds_ratio": {"en": "Cochran-Mantel-Haenszel (odds ratio)", "zh": "CMH 检验（优势比）"},
    "test.breslow_day_heterogeneity": {
        "en": "Breslow-Day (slot x day)",
        "zh": "Breslow-Day 检验（时段 × 日期）",
    },
    "test.naive_reader_z": {
        "en": "reader-level z test (invalid for a rotation; shown for contrast)",
        "zh": "读者级 z 检验（对轮换测试无效，仅作对照）",
    },
    # -- plots --------------------------------------------------------------------
    "plot.slot": {"en": "send slot", "zh": "推送时段"},
    "plot.own": {"en": "each slot alone ({level} interval)", "zh": "各时段单独估计（{level} 区间）"},
    "plot.shrunk": {"en": "shrunk estimate ({level} interval)", "zh": "收缩估计（{level} 区间）"},
    "plot.truth": {"en": "true rate", "zh": "真实比率"},
    "plot.pushes": {"en": "pushes", "zh": "单次推送"},
    "plot.p_best": {"en": "chance to be best", "zh": "最优概率"},
    "plot.age": {"en": "hours since the push", "zh": "推送后小时数"},
    "plot.share_of_opens": {"en": "share of opens so far", "zh": "已到达的打开比例"},
    "plot.weekday": {"en": "weekday", "zh": "星期"},
    "plot.hour": {"en": "send hour", "zh": "推送小时"},
    "plot.adjusted": {"en": "adjusted rate ({level} interval)", "zh": "调整后比率（{level} 区间）"},
    "plot.funnel": {"en": "funnel by slot", "zh": "各时段漏斗"},
    "plot.rate": {"en": "rate", "zh": "比率"},
    "plot.rates_by_slot": {"en": "{metric} by send slot", "zh": "各推送时段的{metric}"},
    "plot.day": {"en": "day of the study", "zh": "测试天数"},
    "plot.p_correct": {"en": "P(correct selection)", "zh": "选中最优时段的概率"},
    "plot.regret": {"en": "cumulative opens lost vs the best slot", "zh": "相对最优时段累计损失的打开数"},
    "plot.allocation": {"en": "share of pushes", "zh": "推送占比"},
    "plot.density": {"en": "posterior density", "zh": "后验密度"},
    "plot.difference": {
        "en": "difference from {ref} (pp, {level} interval)",
        "zh": "与 {ref} 的差（百分点，{level} 区间）",
    },
    "plot.power": {"en": "chance the decision finds a {lift} lift", "zh": "判定 {lift} 提升的概率"},
    "plot.study_days": {"en": "study length (days)", "zh": "测试总天数"},
    "plot.replay": {"en": "rate had the log pushed as '{target}'", "zh": "若按“{target}”推送的比率"},
    "plot.advice": {"en": "rate so far (shrunk)", "zh": "目前的比率（收缩估计）"},
    # -- plots and tables -----------------------------------------------------------
    "slot": {"en": "slot", "zh": "推送时段"},
    "weekday": {"en": "weekday", "zh": "星期"},
    "ci": {"en": "interval", "zh": "区间"},
    "shrunk_ci": {"en": "shrunk interval", "zh": "收缩区间"},
    "pushes": {"en": "pushes", "zh": "推送次数"},
    "units": {"en": "units", "zh": "比较单位数"},
    "delivered": {"en": "delivered", "zh": "送达人数"},
    "opened": {"en": "opened", "zh": "打开数（来自推送的阅读）"},
    "read": {"en": "read", "zh": "读完数"},
    "clicked": {"en": "clicked", "zh": "点击数"},
    "shared": {"en": "shared", "zh": "分享数"},
    "rate": {"en": "estimated rate", "zh": "估计比率"},
    "interval": {"en": "{level} interval", "zh": "{level} 区间"},
    "rate_shrunk": {"en": "shrunk estimate", "zh": "收缩估计"},
    "p_best": {"en": "chance to be best", "zh": "最优概率"},
    "expected_loss": {"en": "expected loss", "zh": "期望损失"},
    "pooled_rate": {"en": "pooled rate", "zh": "合计比率"},
    "truth": {"en": "true rate", "zh": "真实比率"},
    "one_dot_per_push": {"en": "each dot is one push", "zh": "每个点是一次推送"},
    "difference_from": {"en": "difference from {ref} (pp)", "zh": "与 {ref} 的差（百分点）"},
    "hours_after_push": {"en": "hours after the push", "zh": "推送后小时数"},
    "share_of_final": {"en": "share of final opens", "zh": "占最终打开数的比例"},
    "day": {"en": "day", "zh": "天"},
    "p_correct": {"en": "P(correct selection)", "zh": "选对的概率"},
    "regret": {"en": "reads lost vs the best slot", "zh": "相比最优时段损失的阅读数"},
    "share_of_pushes": {"en": "share of deliveries", "zh": "送达占比"},
    "posterior_density": {"en": "posterior density", "zh": "后验密度"},
    "power": {"en": "chance of a decision", "zh": "得出结论的概率"},
    "study_days": {"en": "study length (days)", "zh": "测试天数"},
    "sent_on": {"en": "send date", "zh": "发送日期"},
    "adjusted_rate": {"en": "adjusted rate", "zh": "调整后比率"},
}


#: argparse's own words (usage, headings, its errors) in Chinese; the CLI swaps them in for
#: ``--lang zh`` (see :func:`wxtime.cli.main`).
ARGPARSE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "usage: ": "用法：",
        "positional arguments": "位置参数",
        "options": "选项",
        "show this help message and exit": "显示本帮助并退出",
        "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
        "the following arguments are required: %s": "缺少必需的参数：%s",
        "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
        "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
        "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
        "expected one argument": "需要一个值",
        "expected at least one argument": "至少需要一个值",
        "expected at most one argument": "最多只能有一个值",
        "unrecognized arguments: %s": "无法识别的参数：%s",
        "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
        "not allowed with argument %s": "不能与参数 %s 同时使用",
        "one of the arguments %s is required": "需要以下参数之一：%s",
    }
}


def cli_help(text: str | None, lang: str = "en") -> str | None:
    """A ``--help`` text of :mod:`wxtime.cli` (written there in English) in ``lang``.

    The Chinese texts live in ``wxtime/locale/cli_help_zh.json``, keyed by the English
    text; a text missing there stays English (a test checks none is missing).

    Examples
    --------
    >>> cli_help("print one JSON object", "zh")
    '输出一个 JSON 对象'
    """
    if lang == "en" or not text:
        return text
    return _cli_catalogue(lang).get(text, text)


def _cli_catalogue(lang: str) -> dict:
    import json
    from importlib.resources import files

    cache = _CLI_CACHE.get(lang)
    if cache is None:
        path = files("wxtime").joinpath(f"locale/cli_help_{lang}.json")
        cache = _CLI_CACHE[lang] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return cache


_CLI_CACHE: dict[str, dict] = {}


def t(key: str, lang: str = "en", **values) -> str:
    """The message ``key`` in ``lang`` (``en`` or ``zh``), with ``values`` filled in."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    entry = MESSAGES[key]
    return entry[lang].format(**values) if values else entry[lang]


def skipped_reason(code: str, lang: str = "en", age_hours=None) -> str:
    """Why rows were left out, in words (``code`` as in a load summary's ``skipped``).

    Examples
    --------
    >>> skipped_reason("total_rows", "zh"), skipped_reason("too_young", "en", 48)
    ('合计或平均行', 'too recent to compare at 48 hours')
    """
    key = f"skipped.{code}"
    if key not in MESSAGES:
        return code
    return t(key, lang, age=f"{age_hours:g}" if age_hours else "—") if code == "too_young" else t(key, lang)


def metric_label(metric: str, lang: str = "en") -> str:
    """``open rate`` / ``打开率``..."""
    return t(f"metric.{metric}", lang)


def unit_word(unit_kind: str, lang: str = "en") -> str:
    return t(f"unit.{unit_kind}", lang)


def percent(value: float, digits: int = 1) -> str:
    """A rate or a lift as a percentage with sensible digits; a dash for missing values.

    Examples
    --------
    >>> percent(0.07234), percent(-0.051, 0), percent(float("nan"))
    ('7.2%', '-5%', '—')
    """
    if value is None or value != value:
        return "—"
    return f"{100 * value:.{digits}f}%"


def pp(value: float, digits: int = 2, lang: str = "en") -> str:
    """A difference of rates in percentage points: ``0.14 pp`` / ``0.14 个百分点``.

    Examples
    --------
    >>> pp(0.0014), pp(0.0014, lang="zh")
    ('0.14 pp', '0.14 个百分点')
    """
    if value is None or value != value:
        return "—"
    return f"{100 * value:.{digits}f} " + ("个百分点" if lang == "zh" else "pp")
