import PurserAPI
import PurserPostgres

/// The webhook columns Identity selects and their decoding, side by side.
extension IdentityRows {
    /// An endpoint row of `identity.webhook_endpoints e`, with when its
    /// previous signing secret stops signing (the latest unexpired rotated one).
    static let webhookEndpointColumns = """
        e.endpoint_id::text, e.tenant_id::text, e.url, array_to_string(e.event_types, ','), e.description, e.enabled,
        e.disabled_reason, identity.to_us(e.created_at), identity.to_us(e.updated_at),
        (SELECT identity.to_us(max(s.expires_at)) FROM identity.webhook_secrets s
          WHERE s.tenant_id = e.tenant_id AND s.endpoint_id = e.endpoint_id AND s.expires_at > now())
        """

    static func webhookEndpoint(_ row: PostgresRow) throws -> WebhookEndpoint {
        var endpoint = WebhookEndpoint()
        endpoint.id = try row.decode(String.self, at: 0)
        endpoint.tenantID = try row.decode(String.self, at: 1)
        endpoint.url = try row.decode(String.self, at: 2)
        let types = try row.decode(String.self, at: 3)
        endpoint.eventTypes = types.isEmpty ? [] : types.split(separator: ",").map(String.init)
        endpoint.description = try row.decode(String.self, at: 4)
        endpoint.status = try row.decode(Bool.self, at: 5) ? .enabled : .disabled
        endpoint.disabledReason = try row.decode(String.self, at: 6)
        endpoint.createdAtUs = try row.decode(Int64.self, at: 7)
        endpoint.updatedAtUs = try row.decode(Int64.self, at: 8)
        endpoint.previousSecretExpiresAtUs = try row.decode(Int64?.self, at: 9) ?? 0
        return endpoint
    }

    /// A delivery row of `identity.webhook_deliveries d`; its attempts are read separately.
    static let webhookDeliveryColumns = """
        d.delivery_id::text, d.endpoint_id::text, d.event_id::text, d.event_type, coalesce(d.agent_id::text, ''), d.status,
        d.attempt_count, identity.to_us(d.created_at),
        CASE WHEN d.status = 'pending' THEN identity.to_us(d.next_attempt_at) END, identity.to_us(d.delivered_at), d.seq
        """

    /// The delivery and its position in the log (`seq`).
    static func webhookDelivery(_ row: PostgresRow) throws -> (delivery: WebhookDelivery, seq: Int64) {
        var delivery = WebhookDelivery()
        delivery.id = try row.decode(String.self, at: 0)
        delivery.endpointID = try row.decode(String.self, at: 1)
        delivery.eventID = try row.decode(String.self, at: 2)
        delivery.eventType = try row.decode(String.self, at: 3)
        delivery.agentID = try row.decode(String.self, at: 4)
        delivery.status = webhookDeliveryStatus(try row.decode(String.self, at: 5))
        delivery.attemptCount = try row.decode(Int32.self, at: 6)
        delivery.createdAtUs = try row.decode(Int64.self, at: 7)
        delivery.nextAttemptAtUs = try row.decode(Int64?.self, at: 8) ?? 0
        delivery.deliveredAtUs = try row.decode(Int64?.self, at: 9) ?? 0
        return (delivery, try row.decode(Int64.self, at: 10))
    }

    /// An attempt row of `identity.webhook_attempts a`, preceded by its delivery id.
    static let webhookAttemptColumns = """
        a.delivery_id::text, a.attempt, identity.to_us(a.at), a.http_status, a.latency_us, a.error, a.response_excerpt,
        a.detail
        """

    static func webhookAttempt(_ row: PostgresRow) throws -> (deliveryID: String, attempt: WebhookAttempt) {
        var attempt = WebhookAttempt()
        attempt.attempt = try row.decode(Int32.self, at: 1)
        attempt.atUs = try row.decode(Int64.self, at: 2)
        attempt.httpStatus = try row.decode(Int32.self, at: 3)
        attempt.latencyUs = try row.decode(Int64.self, at: 4)
        attempt.error = try row.decode(String.self, at: 5)
        attempt.responseExcerpt = try row.decode(String.self, at: 6)
        attempt.detail = try row.decode(String.self, at: 7)
        return (try row.decode(String.self, at: 0), attempt)
    }

    static func webhookDeliveryStatus(_ text: String) -> WebhookDeliveryStatus {
        switch text {
        case "pending": .pending
        case "delivered": .delivered
        case "failed": .failed
        default: .unspecified
        }
    }

    /// The column value of a status a request names; `nil` for a status no delivery has.
    static func webhookDeliveryStatusText(_ status: WebhookDeliveryStatus) -> String? {
        switch status {
        case .pending: "pending"
        case .delivered: "delivered"
        case .failed: "failed"
        default: nil
        }
    }
}
