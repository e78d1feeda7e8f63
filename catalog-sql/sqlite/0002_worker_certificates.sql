-- Each worker agent is bound to the client certificate it registered with (architecture §7): the
-- master refuses a hello whose agent id is bound to another thumbprint, and a certificate already
-- bound to one agent id cannot register a second. NULL: registered before this migration; the
-- agent's next hello binds it (trust on first use after an upgrade).
ALTER TABLE worker_agents ADD COLUMN CertificateThumbprint TEXT;
CREATE UNIQUE INDEX ux_worker_agents_certificate ON worker_agents(CertificateThumbprint) WHERE CertificateThumbprint IS NOT NULL;
