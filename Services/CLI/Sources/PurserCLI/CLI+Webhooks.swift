import PurserAPI
import PurserClient
import PurserJSON
import PurserKit

extension CLI {
    /// `purser webhooks …`: the tenant's webhook endpoints and their delivery log
    /// (tenant admin; finance may list).
    static let webhooksCommands = CommandNode.group(
        name: "webhooks", summary: "webhook endpoints: create, list, update, delete, rotate-secret, deliveries, redeliver",
        details: "Event types: \(EventCatalogue.all.map(\.name).joined(separator: ", ")). No --events means every type.",
        [
            .verb(
                CommandSpec(
                    "create", "register an endpoint; prints its signing secret (once)",
                    flags: [.required("url", "URL", "https URL that receives the events"),
                            .optional("events", "TYPE,TYPE", "event types to send (default: every type)"),
                            .optional("description", "TEXT", "note (at most 256 bytes)"),
                            .optional("idempotency-key", "KEY", "repeat-safe key")]),
                createWebhook),
            .verb(CommandSpec("list", "list endpoints", flags: [.optional("limit", "N", "page size")]), listWebhooks),
            .verb(
                CommandSpec(
                    "update", "change an endpoint's URL, event types, description or state",
                    flags: [endpointFlag, .optional("url", "URL", "new https URL"),
                            .optional("events", "TYPE,TYPE", "replace the event types"),
                            .toggle("all-events", "send every event type"),
                            .optional("description", "TEXT", "new note"),
                            .toggle("enable", "send again (pending deliveries go out now)"),
                            .toggle("disable", "stop sending; deliveries wait")]),
                updateWebhook),
            .verb(CommandSpec("delete", "delete an endpoint and its delivery log", flags: [endpointFlag]), deleteWebhook),
            .verb(
                CommandSpec(
                    "rotate-secret", "issue a new signing secret; prints it once",
                    flags: [endpointFlag, .optional("overlap", "DURATION", "how long the old secret keeps signing (default 1d, at most 7d)")]),
                rotateWebhookSecret),
            .verb(
                CommandSpec(
                    "deliveries", "an endpoint's deliveries, newest first",
                    flags: [endpointFlag, .optional("status", "pending|delivered|failed", "only deliveries in this state"),
                            .optional("limit", "N", "page size")]),
                listWebhookDeliveries),
            .verb(
                CommandSpec("redeliver", "send a delivery again now, with the same webhook-id",
                            flags: [.required("delivery", "ID", "the delivery")]),
                redeliverWebhook),
        ])

    static let endpointFlag = FlagSpec.required("endpoint", "ID", "the webhook endpoint")

    /// The event types of `--events`: comma-separated, blanks dropped.
    static func eventTypes(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func createWebhook(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let client = try context.client()
        let request = CreateWebhookEndpointRequest(
            tenantID: try await context.tenantID(client), url: try command.required("url"),
            eventTypes: eventTypes(command.string("events") ?? ""), description: command.string("description") ?? "")
        let response = try await client.identity().createWebhookEndpoint(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("endpoint", response.endpoint.json), ("secret", .string(response.secret))]),
            text: Table.record(response.endpoint.record + [("secret", response.secret)])
                + "The signing secret is shown once: give it to the receiver (it verifies webhook-signature with it).\n")
    }

    static func listWebhooks(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let request = ListWebhookEndpointsRequest(
            tenantID: try await context.tenantID(client), pageSize: Int32(try context.command.integer("limit", in: 1...1000) ?? 0))
        let response = try await client.identity().listWebhookEndpoints(request)
        return CommandOutput(
            json: .members([("endpoints", .array(response.endpoints.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(WebhookEndpoint.columns, rows: response.endpoints.map(\.row)).rendered())
    }

    static func updateWebhook(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        if command.flag("enable"), command.flag("disable") {
            throw UsageError(reason: "conflicting_flags", "--enable and --disable exclude each other", path: command.path)
        }
        if command.flag("all-events"), command.string("events") != nil {
            throw UsageError(reason: "conflicting_flags", "--events and --all-events exclude each other", path: command.path)
        }
        let events: [String]? = command.flag("all-events") ? [] : command.string("events").map(eventTypes)
        let enabled: Bool? = command.flag("enable") ? true : command.flag("disable") ? false : nil
        let client = try context.client()
        let request = UpdateWebhookEndpointRequest(
            tenantID: try await context.tenantID(client), endpointID: try command.required("endpoint"), url: command.string("url"),
            eventTypes: events, description: command.string("description"), enabled: enabled)
        let endpoint = try await client.identity().updateWebhookEndpoint(request)
        return CommandOutput(json: endpoint.json, text: Table.record(endpoint.record))
    }

    static func deleteWebhook(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let endpoint = try await client.identity().deleteWebhookEndpoint(
            DeleteWebhookEndpointRequest(tenantID: try await context.tenantID(client), endpointID: try context.command.required("endpoint")))
        return CommandOutput(json: endpoint.json, text: "webhook endpoint \(endpoint.id) (\(endpoint.url)) deleted\n")
    }

    static func rotateWebhookSecret(_ context: CommandContext) async throws -> CommandOutput {
        let overlap = try context.command.duration("overlap")
        let client = try context.client()
        let request = RotateWebhookSecretRequest(
            tenantID: try await context.tenantID(client), endpointID: try context.command.required("endpoint"),
            overlapSeconds: overlap.map { $0.components.seconds } ?? 0)
        let response = try await client.identity().rotateWebhookSecret(request, idempotencyKey: context.idempotencyKey)
        let previous = response.endpoint.previousSecretExpiresAtUs
        return CommandOutput(
            json: .members([("endpoint", response.endpoint.json), ("secret", .string(response.secret))]
                + Render.time("previous_expires_at", previous)),
            text: Table.record([("secret", response.secret), ("previous secret stops", UTCDate.timestamp(previous))])
                + "The signing secret is shown once; both sign until the previous one stops.\n")
    }

    static func listWebhookDeliveries(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let status: WebhookDeliveryStatus
        switch try command.choice("status", ["pending", "delivered", "failed"]) {
        case "pending": status = .pending
        case "delivered": status = .delivered
        case "failed": status = .failed
        default: status = .unspecified
        }
        let client = try context.client()
        let request = ListWebhookDeliveriesRequest(
            tenantID: try await context.tenantID(client), endpointID: try command.required("endpoint"), status: status,
            pageSize: Int32(try command.integer("limit", in: 1...1000) ?? 0))
        let response = try await client.identity().listWebhookDeliveries(request)
        return CommandOutput(
            json: .members([("deliveries", .array(response.deliveries.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(WebhookDelivery.columns, rows: response.deliveries.map(\.row)).rendered())
    }

    static func redeliverWebhook(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let delivery = try await client.identity().redeliverWebhook(
            RedeliverWebhookRequest(tenantID: try await context.tenantID(client), deliveryID: try context.command.required("delivery")))
        return CommandOutput(
            json: delivery.json,
            text: "delivery \(delivery.id) of event \(delivery.eventID) is \(delivery.status.name), next attempt \(UTCDate.timestamp(delivery.nextAttemptAtUs))\n")
    }
}
