# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: an ``AnsibleModule`` with the connection options, and the one
place where a failure raised in module_utils becomes ``fail_json``."""

import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError, SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC, client_for
from ansible_collections.hwcloud.sms.plugins.module_utils.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


class SmsModule:
    """An ``AnsibleModule`` with the connection options; ``run(work)`` checks them, builds the client (which sends
    nothing until asked) and exits with what ``work()`` returns, or fails with what it raised."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.client = None

    def run(self, work):
        """Exit with the result of ``work()``. The one place where a failure (SmsFailure, or an SmsApiError that
        nothing caught) becomes the module's failure; the traceback goes to ``exception`` (shown at -vvv), as
        Ansible's own modules do."""
        started = time.monotonic()
        try:
            if not HAS_REQUESTS:
                raise SmsFailure(missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
            self.client = client_for(self.params, self.module.warn, self.module.no_log_values.add)
            result = work()
        except (SmsApiError, SmsFailure) as error:
            failure = error if isinstance(error, SmsFailure) else SmsFailure(error.message(), cause=error)
            result = dict(failure.result, **self.trace(started))
            if failure.cause is not None:
                result.setdefault("error", failure.cause.to_dict())
                result.setdefault("exception", traceback.format_exc())
            self.module.fail_json(msg=failure.msg, **result)
        self.module.exit_json(**dict(result, **self.trace(started)))

    def trace(self, started):
        """How many requests the run sent and how long it took; at -vvv also the endpoint, the way of
        authentication and one line per request (never a header, a body or a secret)."""
        lines = self.client.transport.log.lines if self.client else []
        trace = {"request_count": len(lines), "elapsed": round(time.monotonic() - started, 3)}
        if self.module._verbosity >= 3:  # pylint: disable=protected-access
            trace["request_log"] = (self.client.describe() if self.client else []) + lines
        return trace


__all__ = ["SmsModule", "SmsApiError", "SmsFailure"]
