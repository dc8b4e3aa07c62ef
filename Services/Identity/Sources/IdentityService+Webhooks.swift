import Foundation
import PurserAPI
import PurserHTTP
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

/// A tenant's webhook endpoints, their signing secrets and their delivery log.
/// Tenant admins call every method, tenant finance the two lists
/// (`IdentityAccess.rules`); another tenant's ids answer NOT_FOUND, and an
/// empty `tenant_id` names the caller's tenant.
extension IdentityService {
    /// Most endpoints one tenant may have.
    static let maximumWebhookEndpoints = 16
    /// Longest endpoint description, in bytes.
    static let maximumWebhookDescriptionBytes = 256
    /// How long a rotated secret keeps signing when the request says 0, and at most.
    static let defaultWebhookOverlapSeconds: Int64 = 86_400
    static let maximumWebhookOverlapSeconds: Int64 = 7 * 86_400
    /// Attempts listed with each delivery, newest first.
    static let webhookAttemptsPerDelivery = 20

    /// Creates an endpoint and its first signing secret, returned once (sealed
    /// with the KEK at rest). The tenant's endpoint count is checked under a
    /// lock on the tenant row, so concurrent creates never pass 16
    /// (RESOURCE_EXHAUSTED `endpoint_limit`).
    func createWebhookEndpoint(_ request: CreateWebhookEndpointRequest, principal: Principal) async throws -> CreateWebhookEndpointResponse {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let url = try await checkWebhookURL(request.url)
        let eventTypes = try Self.webhookEventTypes(request.eventTypes)
        let description = try Self.webhookDescription(request.description)
        let secret = try Self.newWebhookSecret()
        let endpointID = Self.newID()
        let kek = settings.keyEncryptionKey
        let endpoint = try await pool.withTransaction { connection -> WebhookEndpoint? in
            let tenant = try connection.query(
                "SELECT 1 FROM identity.tenants WHERE tenant_id = $1 FOR NO KEY UPDATE", [tenantID])
            guard !tenant.isEmpty else { return nil }
            let count = try connection.query(
                "SELECT count(*)::bigint FROM identity.webhook_endpoints WHERE tenant_id = $1", [tenantID])
            guard try count[0].decode(Int64.self, at: 0) < Self.maximumWebhookEndpoints else {
                throw RPCError(
                    .resourceExhausted, "a tenant has at most \(Self.maximumWebhookEndpoints) webhook endpoints",
                    reason: "endpoint_limit")
            }
            _ = try connection.query(
                """
                INSERT INTO identity.webhook_endpoints (tenant_id, endpoint_id, url, event_types, description)
                VALUES ($1, $2, $3, $4, $5)
                """, [tenantID, endpointID, url, PostgresArray(eventTypes), description])
            try Self.insertWebhookSecret(connection, secret, tenantID: tenantID, endpointID: endpointID, kek: kek)
            return try Self.fetchWebhookEndpoint(connection, tenantID: tenantID, endpointID: endpointID)
        }
        guard let endpoint else { throw RPCError.notFound("tenant") }
        logger.notice("webhook endpoint created", ["tenant_id": tenantID, "endpoint_id": endpointID])
        var response = CreateWebhookEndpointResponse()
        response.endpoint = endpoint
        response.secret = secret
        return response
    }

    /// The tenant's endpoints, ordered by id, paged.
    func listWebhookEndpoints(_ request: ListWebhookEndpointsRequest, principal: Principal) async throws -> ListWebhookEndpointsResponse {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let size = try PageToken.size(request.pageSize)
        let after = try PageToken.parse(request.pageToken)?.after ?? ""
        let endpoints = try await pool.withConnection { connection -> [WebhookEndpoint] in
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.webhookEndpointColumns) FROM identity.webhook_endpoints e
                 WHERE e.tenant_id = $1 AND e.endpoint_id::text > $2
                 ORDER BY e.endpoint_id::text LIMIT $3
                """, [tenantID, after, size + 1])
            return try rows.map(IdentityRows.webhookEndpoint)
        }
        var response = ListWebhookEndpointsResponse()
        response.endpoints = Array(endpoints.prefix(size))
        if endpoints.count > size, let last = response.endpoints.last { response.nextPageToken = PageToken(after: last.id).text }
        return response
    }

    /// Changes the fields the request sets, in one transaction. Disabling
    /// records `disabled_by_tenant`; enabling clears the reason and makes the
    /// endpoint's pending deliveries due now.
    func updateWebhookEndpoint(_ request: UpdateWebhookEndpointRequest, principal: Principal) async throws -> WebhookEndpoint {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let endpointID = try Validation.id(request.endpointID, what: "webhook endpoint")
        let url: String? = if let given = request.url { try await checkWebhookURL(given) } else { nil }
        let eventTypes = request.replaceEventTypes ? try Self.webhookEventTypes(request.eventTypes) : nil
        let description: String? = if let given = request.description { try Self.webhookDescription(given) } else { nil }
        let enabled = request.enabled
        let endpoint = try await pool.withTransaction { connection -> WebhookEndpoint? in
            let rows = try connection.query(
                "SELECT 1 FROM identity.webhook_endpoints WHERE tenant_id = $1 AND endpoint_id = $2 FOR UPDATE", [tenantID, endpointID])
            guard !rows.isEmpty else { return nil }
            _ = try connection.query(
                """
                UPDATE identity.webhook_endpoints
                   SET url = coalesce($3::text, url),
                       event_types = CASE WHEN $4::boolean THEN $5::text[] ELSE event_types END,
                       description = coalesce($6::text, description),
                       enabled = coalesce($7::boolean, enabled),
                       disabled_reason = CASE WHEN $7::boolean IS NULL THEN disabled_reason
                                              WHEN $7::boolean THEN '' ELSE 'disabled_by_tenant' END,
                       updated_at = now()
                 WHERE tenant_id = $1 AND endpoint_id = $2
                """,
                [tenantID, endpointID, url, eventTypes != nil, PostgresArray(eventTypes ?? []), description, enabled])
            if enabled == true {
                _ = try connection.query(
                    """
                    UPDATE identity.webhook_deliveries SET next_attempt_at = now()
                     WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'pending'
                    """, [tenantID, endpointID])
            }
            return try Self.fetchWebhookEndpoint(connection, tenantID: tenantID, endpointID: endpointID)
        }
        guard let endpoint else { throw RPCError.notFound("webhook endpoint") }
        if enabled == true { webhooks.nudge() }
        return endpoint
    }

    /// Deletes the endpoint with its secrets, deliveries and attempts (the
    /// schema cascades); answers the endpoint as it was.
    func deleteWebhookEndpoint(_ request: DeleteWebhookEndpointRequest, principal: Principal) async throws -> WebhookEndpoint {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let endpointID = try Validation.id(request.endpointID, what: "webhook endpoint")
        let endpoint = try await pool.withTransaction { connection -> WebhookEndpoint? in
            guard let endpoint = try Self.fetchWebhookEndpoint(connection, tenantID: tenantID, endpointID: endpointID, lock: true) else {
                return nil
            }
            _ = try connection.query(
                "DELETE FROM identity.webhook_endpoints WHERE tenant_id = $1 AND endpoint_id = $2", [tenantID, endpointID])
            return endpoint
        }
        guard let endpoint else { throw RPCError.notFound("webhook endpoint") }
        logger.notice("webhook endpoint deleted", ["tenant_id": tenantID, "endpoint_id": endpointID])
        return endpoint
    }

    /// Makes a new current signing secret, returned once; the previous current
    /// one keeps signing for `overlap_seconds` (0 = one day, at most seven:
    /// INVALID_ARGUMENT `overlap_invalid`). Rotated secrets already past their
    /// end are deleted.
    func rotateWebhookSecret(_ request: RotateWebhookSecretRequest, principal: Principal) async throws -> RotateWebhookSecretResponse {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let endpointID = try Validation.id(request.endpointID, what: "webhook endpoint")
        guard request.overlapSeconds >= 0, request.overlapSeconds <= Self.maximumWebhookOverlapSeconds else {
            throw RPCError.invalid("overlap_seconds", "must be between 0 and 7 days (604800)", reason: "overlap_invalid")
        }
        let overlap = request.overlapSeconds == 0 ? Self.defaultWebhookOverlapSeconds : request.overlapSeconds
        let secret = try Self.newWebhookSecret()
        let kek = settings.keyEncryptionKey
        let endpoint = try await pool.withTransaction { connection -> WebhookEndpoint? in
            let rows = try connection.query(
                "SELECT 1 FROM identity.webhook_endpoints WHERE tenant_id = $1 AND endpoint_id = $2 FOR UPDATE", [tenantID, endpointID])
            guard !rows.isEmpty else { return nil }
            _ = try connection.query(
                """
                DELETE FROM identity.webhook_secrets
                 WHERE tenant_id = $1 AND endpoint_id = $2 AND expires_at IS NOT NULL AND expires_at <= now()
                """, [tenantID, endpointID])
            _ = try connection.query(
                """
                UPDATE identity.webhook_secrets SET expires_at = now() + $3 * interval '1 second'
                 WHERE tenant_id = $1 AND endpoint_id = $2 AND expires_at IS NULL
                """, [tenantID, endpointID, overlap])
            try Self.insertWebhookSecret(connection, secret, tenantID: tenantID, endpointID: endpointID, kek: kek)
            _ = try connection.query(
                "UPDATE identity.webhook_endpoints SET updated_at = now() WHERE tenant_id = $1 AND endpoint_id = $2",
                [tenantID, endpointID])
            return try Self.fetchWebhookEndpoint(connection, tenantID: tenantID, endpointID: endpointID)
        }
        guard let endpoint else { throw RPCError.notFound("webhook endpoint") }
        logger.notice("webhook secret rotated", ["tenant_id": tenantID, "endpoint_id": endpointID])
        var response = RotateWebhookSecretResponse()
        response.endpoint = endpoint
        response.secret = secret
        return response
    }

    /// An endpoint's deliveries, newest first (by event order), optionally of
    /// one status, each with its newest 20 attempts.
    func listWebhookDeliveries(_ request: ListWebhookDeliveriesRequest, principal: Principal) async throws -> ListWebhookDeliveriesResponse {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let endpointID = try Validation.id(request.endpointID, what: "webhook endpoint")
        let size = try PageToken.size(request.pageSize)
        let before = try Self.deliveryPagePosition(request.pageToken)
        let status = try Self.deliveryStatusFilter(request.status)
        let found = try await pool.withConnection { connection -> (page: [(delivery: WebhookDelivery, seq: Int64)], more: Bool)? in
            let endpoint = try connection.query(
                "SELECT 1 FROM identity.webhook_endpoints WHERE tenant_id = $1 AND endpoint_id = $2", [tenantID, endpointID])
            guard !endpoint.isEmpty else { return nil }
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.webhookDeliveryColumns) FROM identity.webhook_deliveries d
                 WHERE d.tenant_id = $1 AND d.endpoint_id = $2 AND ($3::bigint IS NULL OR d.seq < $3::bigint)
                   AND ($4::text IS NULL OR d.status = $4::text)
                 ORDER BY d.seq DESC LIMIT $5
                """, [tenantID, endpointID, before, status, size + 1])
            let deliveries = try rows.map(IdentityRows.webhookDelivery)
            return (try Self.attachAttempts(connection, tenantID: tenantID, to: Array(deliveries.prefix(size))), deliveries.count > size)
        }
        guard let found else { throw RPCError.notFound("webhook endpoint") }
        var response = ListWebhookDeliveriesResponse()
        response.deliveries = found.page.map(\.delivery)
        if found.more, let last = found.page.last { response.nextPageToken = PageToken(after: String(last.seq)).text }
        return response
    }

    /// Sends a delivery again as soon as possible, under the same event id: a
    /// delivered or failed one becomes pending, due now; a pending one is made
    /// due now. Answers the delivery.
    func redeliverWebhook(_ request: RedeliverWebhookRequest, principal: Principal) async throws -> WebhookDelivery {
        let tenantID = try Self.webhookTenant(request.tenantID, principal: principal)
        let deliveryID = try Validation.id(request.deliveryID, what: "webhook delivery")
        let delivery = try await pool.withTransaction { connection -> WebhookDelivery? in
            let rows = try connection.query(
                """
                UPDATE identity.webhook_deliveries d
                   SET status = 'pending', next_attempt_at = now(), delivered_at = NULL,
                       retry_from = CASE WHEN d.status = 'pending' THEN d.retry_from ELSE now() END
                 WHERE d.tenant_id = $1 AND d.delivery_id = $2
                RETURNING \(IdentityRows.webhookDeliveryColumns)
                """, [tenantID, deliveryID])
            guard let row = rows.first else { return nil }
            return try Self.attachAttempts(connection, tenantID: tenantID, to: [IdentityRows.webhookDelivery(row)])[0].delivery
        }
        guard let delivery else { throw RPCError.notFound("webhook delivery") }
        webhooks.nudge()
        logger.info("webhook redelivery requested", ["tenant_id": tenantID, "delivery_id": deliveryID])
        return delivery
    }

    // MARK: Helpers

    /// The `seq` a delivery page token resumes below; `nil` for the first page.
    static func deliveryPagePosition(_ text: String) throws(RPCError) -> Int64? {
        guard let token = try PageToken.parse(text) else { return nil }
        guard let seq = Int64(token.after) else {
            throw RPCError.invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")
        }
        return seq
    }

    /// The status column value a delivery list filters on; `nil` for every status.
    static func deliveryStatusFilter(_ status: WebhookDeliveryStatus) throws(RPCError) -> String? {
        if status == .unspecified { return nil }
        guard let text = IdentityRows.webhookDeliveryStatusText(status) else {
            throw RPCError.invalid("status", "is not a delivery status", reason: "status_invalid")
        }
        return text
    }

    /// The tenant a webhook request acts on: the caller's own when `requested`
    /// is empty; another tenant's (or a malformed) id is NOT_FOUND.
    static func webhookTenant(_ requested: String, principal: Principal) throws(RPCError) -> String {
        if requested.isEmpty, let own = principal.tenantID { return own }
        let tenantID = try Validation.id(requested, what: "tenant")
        try check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        return tenantID
    }

    /// Event types of the catalogue, each once, in the order given; an unknown
    /// one is INVALID_ARGUMENT `event_type_unknown`. Empty means every type.
    static func webhookEventTypes(_ names: [String]) throws(RPCError) -> [String] {
        var types: [String] = []
        for name in names {
            guard EventCatalogue.type(named: name) != nil else {
                throw RPCError.invalid("event_types", "\"\(name)\" is not an event type of the catalogue", reason: "event_type_unknown")
            }
            if !types.contains(name) { types.append(name) }
        }
        return types
    }

    /// An endpoint description: at most 256 bytes, no control characters
    /// (INVALID_ARGUMENT `description_invalid`).
    static func webhookDescription(_ text: String) throws(RPCError) -> String {
        guard text.utf8.count <= maximumWebhookDescriptionBytes else {
            throw RPCError.invalid("description", "is longer than \(maximumWebhookDescriptionBytes) bytes", reason: "description_invalid")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RPCError.invalid("description", "holds control characters", reason: "description_invalid")
        }
        return text
    }

    /// A fresh signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks).
    static func newWebhookSecret() throws -> String {
        try WebhookSecret.generate().string
    }

    /// Stores `secret` as the endpoint's current secret, sealed with the KEK
    /// under the key id `webhook:<endpoint_id>:<secret_id>` (the id is drawn
    /// first, so the seal binds the row it is stored in).
    static func insertWebhookSecret(
        _ connection: PostgresConnection, _ secret: String, tenantID: String, endpointID: String, kek: KeyEncryptionKey
    ) throws {
        let next = try connection.query("SELECT nextval(pg_get_serial_sequence('identity.webhook_secrets', 'secret_id'))")
        let secretID = try next[0].decode(Int64.self, at: 0)
        let sealed = try kek.seal(Array(secret.utf8), keyID: webhookSecretKeyID(endpointID: endpointID, secretID: secretID))
        _ = try connection.query(
            "INSERT INTO identity.webhook_secrets (tenant_id, endpoint_id, secret_id, sealed_secret) VALUES ($1, $2, $3, $4)",
            [tenantID, endpointID, secretID, sealed])
    }

    /// The key id a webhook secret is sealed under.
    static func webhookSecretKeyID(endpointID: String, secretID: Int64) -> String {
        "webhook:\(endpointID):\(secretID)"
    }

    /// The endpoint, or `nil`; `lock` takes its row for update.
    static func fetchWebhookEndpoint(
        _ connection: PostgresConnection, tenantID: String, endpointID: String, lock: Bool = false
    ) throws -> WebhookEndpoint? {
        let rows = try connection.query(
            """
            SELECT \(IdentityRows.webhookEndpointColumns) FROM identity.webhook_endpoints e
             WHERE e.tenant_id = $1 AND e.endpoint_id = $2\(lock ? " FOR UPDATE OF e" : "")
            """, [tenantID, endpointID])
        return try rows.first.map(IdentityRows.webhookEndpoint)
    }

    /// `deliveries` with their newest attempts (at most 20 each), read in one query.
    static func attachAttempts(
        _ connection: PostgresConnection, tenantID: String, to deliveries: [(delivery: WebhookDelivery, seq: Int64)]
    ) throws -> [(delivery: WebhookDelivery, seq: Int64)] {
        guard !deliveries.isEmpty else { return deliveries }
        let rows = try connection.query(
            """
            SELECT \(IdentityRows.webhookAttemptColumns) FROM (
                SELECT *, row_number() OVER (PARTITION BY delivery_id ORDER BY attempt DESC) AS newest
                  FROM identity.webhook_attempts
                 WHERE tenant_id = $1 AND delivery_id = ANY($2::text[]::uuid[])
            ) a
             WHERE a.newest <= $3
             ORDER BY a.delivery_id, a.attempt DESC
            """, [tenantID, PostgresArray(deliveries.map(\.delivery.id)), webhookAttemptsPerDelivery])
        var attempts: [String: [WebhookAttempt]] = [:]
        for row in rows {
            let (deliveryID, attempt) = try IdentityRows.webhookAttempt(row)
            attempts[deliveryID, default: []].append(attempt)
        }
        return deliveries.map { entry in
            var delivery = entry.delivery
            delivery.attempts = attempts[delivery.id] ?? []
            return (delivery, entry.seq)
        }
    }
}
