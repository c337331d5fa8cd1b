"""What an error page may show of the settings: nothing that holds a secret."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SecretsFilter(SafeExceptionReporterFilter):
    """Django's filter hides settings named like API, TOKEN, KEY, SECRET, PASS, SIGNATURE; a URL
    carries its password inside (`redis://:password@host`, `postgres://user:password@host`), so
    the settings that hold one are hidden whole as well."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CHANNEL_LAYERS|DATABASE|REDIS|CACHES|_URL$",
        flags=re.IGNORECASE,
    )
