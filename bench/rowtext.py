"""How the Python runners print a value in their CSV, as nectar's CSV
writer prints it where the bench's comparison cares: NULL is empty,
booleans lower case, timestamps ISO-8601 UTC with milliseconds."""

import datetime


def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (v.microsecond // 1000)
    return str(v)
