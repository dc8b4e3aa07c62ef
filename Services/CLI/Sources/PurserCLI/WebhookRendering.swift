import PurserAPI
import PurserJSON

extension WebhookEndpointStatus {
    /// `enabled` or `disabled`.
    var name: String { self == .enabled ? "enabled" : self == .disabled ? "disabled" : "unspecified" }
}

extension WebhookDeliveryStatus {
    /// `pending`, `delivered` or `failed`.
    var name: String {
        switch self {
        case .pending: "pending"
        case .delivered: "delivered"
        case .failed: "failed"
        default: "unspecified"
        }
    }
}

extension WebhookEndpoint {
    var json: JSONValue {
        .members([
            ("id", .string(id)), ("tenant_id", .string(tenantID)), ("url", .string(url)), ("event_types", Render.strings(eventTypes)),
            ("description", .string(description)), ("status", .string(status.name)), ("disabled_reason", .string(disabledReason)),
        ] + Render.time("created_at", createdAtUs) + Render.time("updated_at", updatedAtUs)
            + Render.time("previous_secret_expires_at", previousSecretExpiresAtUs))
    }

    /// Event types for people: "all" when the endpoint takes every type.
    var eventsText: String { eventTypes.isEmpty ? "all" : eventTypes.joined(separator: ",") }

    var row: [String] { [id, url, status.name, eventsText, Render.orDash(description)] }
    static let columns = ["ID", "URL", "STATUS", "EVENTS", "DESCRIPTION"]

    var record: [(String, String)] {
        [("id", id), ("url", url), ("events", eventsText), ("description", Render.orDash(description)), ("status", status.name)]
            + (disabledReason.isEmpty ? [] : [("disabled reason", disabledReason)])
            + [("created", UTCDate.timestamp(createdAtUs))]
            + (previousSecretExpiresAtUs != 0 ? [("previous secret stops", UTCDate.timestamp(previousSecretExpiresAtUs))] : [])
    }
}

extension WebhookAttempt {
    var json: JSONValue {
        .members([("attempt", .integer(Int64(attempt)))] + Render.time("at", atUs) + [
            ("http_status", .integer(Int64(httpStatus))), ("latency_us", .integer(latencyUs)), ("error", .string(error)),
            ("response_excerpt", .string(responseExcerpt)),
        ])
    }
}

extension WebhookDelivery {
    var json: JSONValue {
        .members([
            ("id", .string(id)), ("endpoint_id", .string(endpointID)), ("event_id", .string(eventID)), ("event_type", .string(eventType)),
            ("agent_id", .string(agentID)), ("status", .string(status.name)), ("attempt_count", .integer(Int64(attemptCount))),
        ] + Render.time("created_at", createdAtUs) + Render.time("next_attempt_at", nextAttemptAtUs)
            + Render.time("delivered_at", deliveredAtUs) + [("attempts", .array(attempts.map(\.json)))])
    }

    /// The newest attempt's outcome: its HTTP status, or its error.
    var lastOutcome: String {
        guard let last = attempts.first else { return "-" }
        return last.httpStatus != 0 ? String(last.httpStatus) : Render.orDash(last.error)
    }

    var row: [String] {
        [id, eventType, status.name, String(attemptCount), lastOutcome,
         attempts.first.map { "\($0.latencyUs / 1000) ms" } ?? "-", UTCDate.timestamp(createdAtUs)]
    }
    static let columns = ["ID", "EVENT", "STATUS", "ATTEMPTS", "LAST", "LATENCY", "CREATED"]
}
