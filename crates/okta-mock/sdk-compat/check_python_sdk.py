"""Drive Okta's official Python SDK (`okta` on PyPI, 3.x) against a running okta-mock.

Usage: OKTA_CLIENT_ORGURL=http://127.0.0.1:PORT OKTA_CLIENT_TOKEN=TOKEN python3 check_python_sdk.py

The SDK is used as any application would use it; the only concession to the mock is the SDK's
own switch for plain-HTTP orgs, OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true (the "testing" config
section is read from the environment or okta.yaml, not from the dict given to Client).
Prints one line per check and a final `python-sdk: N passed, M failed`; exits 1 on any failure.
"""

import asyncio
import os
import sys
import time
import traceback

os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

import okta  # noqa: E402
from okta.client import Client  # noqa: E402
from okta.errors.okta_api_error import OktaAPIError  # noqa: E402
from okta.models import CreateUserRequest  # noqa: E402
from okta.pagination import paginate_pages  # noqa: E402

ORG = os.environ["OKTA_CLIENT_ORGURL"]
TOKEN = os.environ["OKTA_CLIENT_TOKEN"]
RUN = f"py{int(time.time() * 1000) % 10**9}"  # unique logins, so a rerun on one org works

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    line = f"{'ok  ' if cond else 'FAIL'} python-sdk: {name}"
    if not cond and detail:
        line += f" -- {detail}"
    print(line, flush=True)
    return bool(cond)


def error_of(result):
    """The error slot of an SDK call: 3-tuples (data, resp, err) and, for operations that return
    `Success`, 2-tuples (resp, err) on failure."""
    return result[-1]


def ok(result, what):
    err = error_of(result)
    if err is not None:
        raise AssertionError(f"{what}: unexpected error {err!r}")
    return result[0]


def status(user):
    s = user.status
    return getattr(s, "value", s)


def new_user(login, password=None):
    body = {
        "profile": {
            "firstName": "Sdk",
            "lastName": "Compat",
            "email": login,
            "login": login,
        }
    }
    if password:
        body["credentials"] = {"password": {"value": password}}
    return CreateUserRequest.from_dict(body)


async def main():
    config = {"orgUrl": ORG, "token": TOKEN}
    async with Client(config) as client:
        staged_login = f"{RUN}.staged@example.com"
        active_login = f"{RUN}.active@example.com"

        # Create: activate=false -> STAGED; password + activate=true -> ACTIVE.
        staged = ok(await client.create_user(new_user(staged_login), activate=False), "create staged")
        check("create_user(activate=False) -> STAGED", status(staged) == "STAGED", status(staged))
        check("created user has an Okta-shaped id", staged.id.startswith("00u") and len(staged.id) == 20, staged.id)
        active = ok(
            await client.create_user(new_user(active_login, "Sdk-Compat-Pa55!"), activate=True),
            "create active",
        )
        check("create_user(password, activate=True) -> ACTIVE", status(active) == "ACTIVE", status(active))

        # Get by id and by login.
        by_id = ok(await client.get_user(staged.id), "get by id")
        check("get_user(id)", by_id.id == staged.id and by_id.profile.login == staged_login)
        by_login = ok(await client.get_user(active_login), "get by login")
        check("get_user(login)", by_login.id == active.id, by_login.id)

        # Lifecycle on the staged user: activate, suspend, unsuspend, deactivate, delete.
        async def status_of(uid):
            return status(ok(await client.get_user(uid), "get"))

        ok(await client.activate_user(staged.id, send_email=False), "activate")
        # No password yet, so activation leaves the user PROVISIONED (as Okta does).
        check("activate_user -> PROVISIONED (no password)", await status_of(staged.id) == "PROVISIONED")
        ok(await client.suspend_user(active.id), "suspend")
        check("suspend_user -> SUSPENDED", await status_of(active.id) == "SUSPENDED")
        ok(await client.unsuspend_user(active.id), "unsuspend")
        check("unsuspend_user -> ACTIVE", await status_of(active.id) == "ACTIVE")
        ok(await client.deactivate_user(active.id), "deactivate")
        check("deactivate_user -> DEPROVISIONED", await status_of(active.id) == "DEPROVISIONED")
        ok(await client.delete_user(active.id), "delete")
        res = await client.get_user(active.id)
        err = error_of(res)
        check(
            "delete_user of a DEPROVISIONED user removes it (then E0000007)",
            isinstance(err, OktaAPIError) and err.error_code == "E0000007",
            repr(err),
        )

        # Paging with limit/after through the SDK's own pagination helper.
        everyone = ok(await client.list_users(limit=200), "list all")
        pages, seen = [], []
        async for page, _num, _more in paginate_pages(client.list_users, limit=7):
            pages.append(len(page))
            seen.extend(u.id for u in page)
        check(f"paginate_pages(limit=7) walks >= 3 pages ({len(pages)} pages)", len(pages) >= 3, pages)
        check("every page but the last is full", all(n == 7 for n in pages[:-1]) and 0 < pages[-1] <= 7, pages)
        check("pages have no duplicates", len(seen) == len(set(seen)))
        check(
            f"paged listing == one-page listing ({len(seen)} users)",
            seen == [u.id for u in everyone],
            f"{len(seen)} vs {len(everyone)}",
        )
        # And by hand: list_users(after=...) with the cursor from the Link header.
        first, resp, err = await client.list_users(limit=5)
        from okta.pagination import PaginationHelper

        cursor = PaginationHelper.extract_next_cursor(resp.headers)
        second = ok(await client.list_users(limit=5, after=cursor), "list after")
        check("list_users(after=cursor from Link) continues the listing", [u.id for u in first + second] == seen[:10])

        # Filter and search.
        staged_filter = ok(await client.list_users(filter=f'profile.login eq "{staged_login}"'), "filter")
        check("list_users(filter=profile.login eq ...)", [u.id for u in staged_filter] == [staged.id])
        prov = ok(await client.list_users(filter='status eq "PROVISIONED"', limit=200), "filter status")
        check(
            "list_users(filter=status eq \"PROVISIONED\")",
            staged.id in [u.id for u in prov] and all(status(u) == "PROVISIONED" for u in prov),
        )
        gone = ok(await client.create_user(new_user(f"{RUN}.gone@example.com"), activate=False), "create")
        ok(await client.deactivate_user(gone.id), "deactivate")
        found = ok(await client.list_users(search=f'profile.login sw "{RUN}."'), "search")
        check(
            "list_users(search=profile.login sw ...) includes DEPROVISIONED",
            sorted(u.id for u in found) == sorted([staged.id, gone.id]),
            [(u.id, status(u)) for u in found],
        )
        searched = []
        async for page, _n, _m in paginate_pages(
            client.list_users, limit=4, search='status eq "ACTIVE"', sort_by="profile.lastName"
        ):
            searched.extend(page)
        names = [u.profile.last_name.lower() for u in searched]
        check(
            f"paged search sortBy=profile.lastName ({len(searched)} users, sorted)",
            len(searched) > 4 and names == sorted(names) and all(status(u) == "ACTIVE" for u in searched),
        )
        q = [u.id for u in ok(await client.list_users(q="Sdk", limit=200), "q")]
        check("list_users(q=...) finds by name, omits DEPROVISIONED", staged.id in q and gone.id not in q)

        # Okta errors through the SDK's error type.
        res = await client.create_user(new_user(staged_login.upper()), activate=False)
        err = error_of(res)
        check(
            "duplicate login -> OktaAPIError E0000001 (400)",
            isinstance(err, OktaAPIError) and err.error_code == "E0000001" and err.status == 400,
            repr(err),
        )
        check(
            "error causes carry the field summary",
            isinstance(err, OktaAPIError)
            and any("already exists" in c.get("errorSummary", "") for c in err.error_causes),
        )
        res = await client.get_user("00unosuchuser0000000")
        err = error_of(res)
        check(
            "unknown user -> OktaAPIError E0000007 (404)",
            isinstance(err, OktaAPIError) and err.error_code == "E0000007" and err.status == 404,
            repr(err),
        )
        res = await client.suspend_user(staged.id)
        err = error_of(res)
        check(
            "suspend of a non-ACTIVE user -> OktaAPIError E0000001",
            isinstance(err, OktaAPIError) and err.error_code == "E0000001",
            repr(err),
        )
        res = await client.list_users(filter="status eq")
        err = error_of(res)
        check(
            "malformed filter -> OktaAPIError 400",
            isinstance(err, OktaAPIError) and err.status == 400,
            repr(err),
        )

    async with Client({"orgUrl": ORG, "token": "not-the-token"}) as bad:
        res = await bad.get_user(staged.id)
        err = error_of(res)
        check(
            "wrong API token -> OktaAPIError E0000011 (401)",
            isinstance(err, OktaAPIError) and err.error_code == "E0000011" and err.status == 401,
            repr(err),
        )


if __name__ == "__main__":
    print(f"python-sdk: okta {getattr(okta, '__version__', '?')} against {ORG}", flush=True)
    try:
        asyncio.run(main())
    except Exception:  # a crash is a failure, reported like one
        traceback.print_exc()
        check("checks ran to completion", False)
    failed = results.count(False)
    print(f"python-sdk: {results.count(True)} passed, {failed} failed")
    sys.exit(1 if failed else 0)
