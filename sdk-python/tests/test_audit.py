"""Audit metadata against a real server: the ``audit`` connect option sets a default
actor, ``with_audit`` gives a client on the same connection with other metadata, and
the server records both in the ``kimberlite_audit`` view."""

from __future__ import annotations

import asyncio

import pytest

import kimberlite
from kimberlite import errors

from conftest import Server

AUDIT_ROWS = (
    "SELECT actor, reason, correlation_id, statement FROM kimberlite_audit ORDER BY position"
)
EXPECTED = [
    ["svc.intake", None, None, "CREATE TABLE"],
    ["dr.ada", "treatment", "visit-42", "INSERT"],
    ["svc.intake", None, None, "UPDATE"],
]


def test_audit_class() -> None:
    audit = kimberlite.Audit(actor="dr.ada", correlation_id="visit-42")
    assert (audit.actor, audit.reason, audit.correlation_id, audit.idempotency_key) == (
        "dr.ada", None, "visit-42", None)
    assert audit == kimberlite.Audit(actor="dr.ada", correlation_id="visit-42")
    assert audit != kimberlite.Audit(actor="dr.ada")
    assert "dr.ada" in repr(audit)


def test_blocking_client_audit(server: Server) -> None:
    service_audit = kimberlite.Audit(actor="svc.intake")
    with kimberlite.Client(server.address, tenant=41, audit=service_audit) as service:
        assert service.audit == service_audit
        service.execute("CREATE TABLE visits (id BIGINT PRIMARY KEY, note TEXT)")
        doctor_audit = kimberlite.Audit(actor="dr.ada", reason="treatment",
                                        correlation_id="visit-42")
        with service.with_audit(doctor_audit) as doctor:
            assert (doctor.tenant, doctor.address) == (41, service.address)
            assert doctor.audit == doctor_audit
            doctor.execute("INSERT INTO visits (id, note) VALUES ($1, $2)", [1, "seen"])
        assert doctor.closed and not service.closed
        service.execute("UPDATE visits SET note = $1 WHERE id = $2", ["billed", 1])
        assert service.query(AUDIT_ROWS).rows == EXPECTED
    with pytest.raises(errors.ConnectionFailedError):
        service.with_audit(doctor_audit)


def test_async_client_audit(server: Server) -> None:
    async def scenario() -> None:
        service_audit = kimberlite.Audit(actor="svc.intake")
        service = await kimberlite.AsyncClient.connect(
            server.address, tenant=42, audit=service_audit)
        assert service.audit == service_audit
        await service.execute("CREATE TABLE visits (id BIGINT PRIMARY KEY, note TEXT)")
        doctor = service.with_audit(
            kimberlite.Audit(actor="dr.ada", reason="treatment", correlation_id="visit-42"))
        assert doctor.tenant == 42
        await doctor.execute("INSERT INTO visits (id, note) VALUES ($1, $2)", [1, "seen"])
        await service.execute("UPDATE visits SET note = $1 WHERE id = $2", ["billed", 1])
        assert (await doctor.query(AUDIT_ROWS)).rows == EXPECTED
        await doctor.close()
        await service.close()

    asyncio.run(scenario())


def test_no_audit_by_default(server: Server) -> None:
    with kimberlite.Client(server.address, tenant=43) as client:
        assert client.audit is None
        client.execute("CREATE TABLE plain (id BIGINT PRIMARY KEY)")
        assert client.query(AUDIT_ROWS).rows == [[None, None, None, "CREATE TABLE"]]
