# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SMS v3 API as the collection uses it: records read one by one or page by page, deleted one by one or in
batches, and task actions. How requests are sent, authenticated and retried is the transport's (transport.py,
auth.py); what an error says is errors.py's. Plain Python, no Ansible imports.
"""

import time

from ansible_collections.hwcloud.sms.plugins.module_utils.auth import Auth
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SECRET_FIELDS, SmsApiError, body_excerpt, body_head
from ansible_collections.hwcloud.sms.plugins.module_utils.transport import Transport, retry_delay

LIST_PAGE_SIZE = 200
BATCH_SIZE = 50
LIST_ATTEMPTS = 4
# A listing reads at most the pages its first count implies with pages half full, plus a margin; never more
# than MAX_LIST_PAGES. A list whose pages never end (a broken or hostile endpoint) is stopped there.
LIST_PAGE_MARGIN = 2
MAX_LIST_PAGES = 500  # 100,000 tasks: no listing reads more


class Kind:
    """What tells the kinds of SMS record apart in the API: their path, list key and page size, how one is shown,
    whether they are deleted in batches, which list filters the service has, and their names in messages."""

    def __init__(self, noun, word, segment, list_key, path=None, wrapper=None, page_size=LIST_PAGE_SIZE, batch=True,
                 filters=("name",), shows_id=True):
        self.noun = noun  # "SMS task": in messages
        self.word = word  # "task"
        self.segment = segment  # its name: "tasks"
        self.path = tuple(path or (segment,))  # /v3/<path>, /v3/<path>/{id}, /v3/<path>/delete
        self.list_key = list_key  # the list page's key of the items
        self.wrapper = wrapper  # the key a shown record is wrapped in ({"template": {...}}), or None
        self.page_size = page_size
        self.batch = batch  # POST /v3/<path>/delete with {"ids": [...]} exists
        self.filters = filters  # the list filters the service has
        self.shows_id = shows_id  # a shown record carries its id (the service's model of one project has none)

    def __repr__(self):
        return "Kind(%r)" % self.word


TASKS = Kind("SMS task", "task", "tasks", "tasks", filters=("name", "state", "source_server_id", "enterprise_project_id"))
SOURCES = Kind("SMS source server", "source server", "sources", "source_servers",
               filters=("name", "state", "ip", "migration_cycle", "connected", "migproject", "enterprise_project_id"))
# The SDK documents 50 as the templates' default page size; the migration projects' is not documented: 50 as well.
TEMPLATES = Kind("SMS server template", "server template", "templates", "templates", path=("vm", "templates"),
                 wrapper="template", page_size=50, filters=("name", "availability_zone", "region", "id"))
MIGPROJECTS = Kind("SMS migration project", "migration project", "migprojects", "migprojects", page_size=50,
                   batch=False, filters=(), shows_id=False)


def without_secrets(record):
    """``record`` without the fields that hold a secret (errors.SECRET_FIELDS): nothing downstream can print them."""
    return {key: value for key, value in record.items() if key not in SECRET_FIELDS}


class SmsClient:
    """The SMS calls the collection needs, over one transport (retries, signing) for the whole module run."""

    def __init__(self, endpoint, credentials, iam_url=None, region=None, project_id=None, project_name=None,
                 timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None, site_note=None,
                 clock=time.monotonic):
        self.auth = Auth(credentials, iam_url=iam_url, region=region, project_id=project_id,
                         project_name=project_name, on_secret=on_secret)
        self.transport = Transport(endpoint, self.auth, timeout=timeout, max_retries=max_retries, verify=verify,
                                   sleep=sleep, site_note=site_note)
        self.sleep = sleep
        self.clock = clock  # what the waits of a removal measure time by (a test gives a fake clock with its sleep)

    def describe(self):
        """Where the requests go and how they are authenticated, in words (no secret)."""
        lines = ["SMS endpoint %s" % self.transport.endpoint]
        if self.auth.iam_url:
            lines.append("IAM endpoint %s" % self.auth.iam_url)
        return lines + ["authentication: %s" % self.auth.describe()]

    def get_task(self, task_id):
        """The task, or None when SMS answers that it does not exist (a 404 of its own, not a gateway's)."""
        return self.get_record(TASKS, task_id)

    def get_source(self, source_id):
        """The source server, or None when SMS answers that it does not exist (a 404 of its own)."""
        return self.get_record(SOURCES, source_id)

    def list_tasks(self, **filters):
        return self.list_records(TASKS, **filters)

    def list_sources(self, **filters):
        return self.list_records(SOURCES, **filters)

    def get_record(self, kind, record_id):
        """The record, or None when SMS answers that it does not exist (a 404 of its own, not a gateway's)."""
        operation = "read %s %s" % (kind.noun, record_id)
        response = self.transport.request("GET", ["v3", *kind.path, record_id], operation=operation,
                                          missing_ok=True)
        if response is None:
            return None
        record = self.transport.json(response, operation)
        if kind.wrapper:
            record = record.get(kind.wrapper)
            if not isinstance(record, dict):
                raise SmsApiError(operation, reason="the answer has no %r object" % kind.wrapper,
                                  status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        if not kind.shows_id and "id" not in record:
            record = dict(record, id=record_id)
        if record.get("id") != record_id:
            raise SmsApiError(operation, reason="the answer describes %s %r, not the one asked for" % (kind.word, record.get("id")),
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        return without_secrets(record)

    def list_records(self, kind, **filters):
        """Every record of ``kind`` matching ``filters`` (service-side filters), following pages to the end.

        Pages are read by record offset, so a record created or deleted between two pages would shift the
        rest and a record could be missed or seen twice. When the total count changes between pages, or an id
        comes twice, the listing starts over (a few times, then :class:`SmsApiError`).
        """
        for attempt in range(LIST_ATTEMPTS):
            records = self._list_once(kind, filters)
            if records is not None:
                return records
            if attempt + 1 < LIST_ATTEMPTS:  # no pause after the last attempt: nothing follows it
                self.sleep(retry_delay(attempt))
        raise SmsApiError("list %ss" % kind.noun, reason="the %s list kept changing while it was read (%d attempts)"
                          % (kind.word, LIST_ATTEMPTS))

    def _list_once(self, kind, filters):
        """One pass over the pages; None when the list changed under the reader."""
        records = []
        for items, _count, steady in self.record_pages(kind, **filters):
            if not steady:
                return None
            records.extend(items)
        return records

    def record_pages(self, kind, **filters):
        """The pages of the list of ``kind``, in order, as ``(items, count, steady)``; the caller may stop at any page.

        Pages are read by record offset, so a record created or deleted between two pages shifts the rest: ``steady``
        turns false for good once the count changed or an id came twice. At most the pages the first page's count
        implies (with pages half full) plus LIST_PAGE_MARGIN are read, and never more than MAX_LIST_PAGES: a list
        whose pages never end is stopped with an error.
        """
        query = [(key, value) for key, value in filters.items() if value is not None]
        offset, pages, first_count, budget, seen, steady = 0, 0, None, 0, set(), True
        while True:
            items, count = self._page(kind, query, offset)
            if first_count is None:
                first_count = count
                budget = min(-(-count // (kind.page_size // 2)) + LIST_PAGE_MARGIN, MAX_LIST_PAGES)
            ids = [item["id"] for item in items]
            # an empty page before the count is reached is not the end of the list: the list shifted or lies
            steady = steady and count == first_count and not seen.intersection(ids) and (bool(items) or offset >= count)
            seen.update(ids)
            pages += 1
            if pages > budget:
                raise SmsApiError("list %ss" % kind.noun, reason="the list did not end after %d pages although its first "
                                  "page counted %d %ss (at most %d pages are read): stopped reading"
                                  % (pages - 1, first_count, kind.word, MAX_LIST_PAGES))
            yield items, count, steady
            offset += len(items)
            if not items or offset >= count:
                return

    def _page(self, kind, query, offset):
        operation = "list %ss" % kind.noun
        response = self.transport.request("GET", ["v3", *kind.path], operation=operation,
                                          query=query + [("limit", kind.page_size), ("offset", offset)])
        page = self.transport.json(response, operation)
        items, count = page.get(kind.list_key), page.get("count")
        if items is None and count == 0:
            items = []  # an empty list may leave its items out
        if not isinstance(items, list) or not all(isinstance(item, dict) and item.get("id") for item in items) \
                or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise SmsApiError(operation, reason="the answer is not a page of %ss" % kind.word, status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"),
                              excerpt=body_excerpt(self.transport.redact(body_head(response.text))))
        return [without_secrets(item) for item in items], count

    def delete_record(self, kind, record_id):
        """Delete one record. Every failure raises, a 404 too: a 404 to a write may have another meaning than
        "no such record" (``SMS.2252``), so the caller reads the record again. ``uncertain`` on the error says
        whether the deletion may have happened all the same."""
        self.transport.request("DELETE", ["v3", *kind.path, record_id],
                               operation="delete %s %s" % (kind.noun, record_id))

    def delete_records(self, kind, record_ids):
        """Delete up to ``BATCH_SIZE`` records in one call. A success carries no result per id (the service may skip
        ids these credentials cannot see), and a failure may come after some ids were deleted."""
        self.transport.request("POST", ["v3", *kind.path, "delete"], body={"ids": list(record_ids)},
                               operation="delete %d %ss in one batch" % (len(record_ids), kind.noun))

    def task_action(self, task_id, operation_name):
        """Run an action (``stop``, ``start``, ...) on a task."""
        self.transport.request("POST", ["v3", "tasks", task_id, "action"], body={"operation": operation_name},
                               operation="%s SMS task %s" % (operation_name, task_id))
