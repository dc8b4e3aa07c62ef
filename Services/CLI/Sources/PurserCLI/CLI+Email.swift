import PurserAPI
import PurserClient
import PurserJSON

extension CLI {
    /// `purser email …`: agents' addresses and inboxes.
    static let emailCommands = CommandNode.group(
        name: "email", summary: "agents' email: aliases, create, disable, enable, inbox, read",
        details: "Agents use their own secret and may leave out --agent; tenant admins name the agent.",
        [
            .verb(CommandSpec("aliases", "an agent's aliases (admins: every alias without --agent)",
                              flags: [.optional("agent", "ID|HANDLE", "the agent")]), listAliases),
            .verb(
                CommandSpec("create", "create an alias",
                            flags: [.optional("agent", "ID|HANDLE", "the agent (agents: themselves)"),
                                    .optional("local-part", "NAME", "custom local part (default: the agent's primary address)"),
                                    .toggle("random", "an unguessable local part"), idempotencyFlag]),
                createAlias),
            .verb(CommandSpec("disable", "refuse mail to an alias", flags: [.required("alias", "ID", "alias id")]), disableAlias),
            .verb(CommandSpec("enable", "accept mail to an alias again", flags: [.required("alias", "ID", "alias id")]), enableAlias),
            .verb(
                CommandSpec("inbox", "messages, newest first",
                            flags: [.optional("agent", "ID|HANDLE", "the agent (agents: themselves)"), .optional("limit", "N", "page size")]),
                inbox),
            .verb(CommandSpec("read", "one message with its text", flags: [.required("message", "ID", "message id")]), readMessage),
        ])

    /// The tenant and (optional) agent id an email command names.
    static func emailTarget(_ context: CommandContext) async throws -> (PurserClient, String, String) {
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        guard let agent = context.command.string("agent") else { return (client, tenant, "") }
        return (client, tenant, try await resolveAgent(agent, tenant: tenant, client: client))
    }

    static func listAliases(_ context: CommandContext) async throws -> CommandOutput {
        let (client, tenant, agentID) = try await emailTarget(context)
        let response = try await client.email().aliases(ListAliasesRequest(tenantID: tenant, agentID: agentID))
        return CommandOutput(
            json: .members([("aliases", .array(response.aliases.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(Alias.columns, rows: response.aliases.map(\.row)).rendered())
    }

    static func createAlias(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let (client, tenant, agentID) = try await emailTarget(context)
        var request = CreateAliasRequest(tenantID: tenant, agentID: agentID, kind: .primary)
        if let local = command.string("local-part") {
            guard !command.flag("random") else {
                throw UsageError(reason: "invalid_value", "--local-part and --random exclude each other", path: command.path)
            }
            request.kind = .custom
            request.localPart = local
        } else if command.flag("random") {
            request.kind = .random
        }
        let alias = try await client.email().createAlias(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(json: alias.json, text: "\(alias.address) (\(alias.kind), \(alias.status)) id \(alias.id)\n")
    }

    static func disableAlias(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let alias = try await client.email().disableAlias(tenantID: try await context.tenantID(client), aliasID: try context.command.required("alias"))
        return CommandOutput(json: alias.json, text: "\(alias.address) is \(alias.status)\n")
    }

    static func enableAlias(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let alias = try await client.email().enableAlias(tenantID: try await context.tenantID(client), aliasID: try context.command.required("alias"))
        return CommandOutput(json: alias.json, text: "\(alias.address) is \(alias.status)\n")
    }

    static func inbox(_ context: CommandContext) async throws -> CommandOutput {
        let (client, tenant, agentID) = try await emailTarget(context)
        var request = ListMessagesRequest()
        request.tenantID = tenant
        request.agentID = agentID
        request.pageSize = Int32(try context.command.integer("limit", in: 1...1000) ?? 0)
        let response = try await client.email().messages(request)
        return CommandOutput(
            json: .members([("messages", .array(response.messages.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(["ID", "RECEIVED", "TO", "FROM", "SUBJECT"],
                        rows: response.messages.map { [$0.id, UTCDate.timestamp($0.receivedAtUs), $0.recipient, $0.from, $0.subject] }).rendered())
    }

    static func readMessage(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let message = try await client.email().message(tenantID: try await context.tenantID(client), messageID: try context.command.required("message"))
        var json = message.json
        if case .object(var members) = json {
            members["headers"] = .array(message.headers.map { .members([("name", .string($0.name)), ("value", .string($0.value))]) })
            members["plain_text"] = .string(message.plainText)
            json = .object(members)
        }
        return CommandOutput(
            json: json,
            text: Table.record([("from", message.from), ("to", message.to), ("subject", message.subject), ("date", message.date),
                                ("received", UTCDate.timestamp(message.receivedAtUs))]) + "\n" + message.plainText
                + (message.plainText.hasSuffix("\n") ? "" : "\n"))
    }
}

extension Alias {
    var json: JSONValue {
        .members([("id", .string(id)), ("agent_id", .string(agentID)), ("address", .string(address)), ("kind", .string(kind.description)),
                 ("status", .string(status.description)), ("disabled_reason", .string(disabledReason)), ("received_count", .integer(receivedCount)),
                 ("rejected_count", .integer(rejectedCount))] + Render.time("last_received_at", lastReceivedAtUs))
    }

    var row: [String] {
        [id, address, kind.description, status.description, String(receivedCount), String(rejectedCount), UTCDate.timestamp(lastReceivedAtUs)]
    }
    static let columns = ["ID", "ADDRESS", "KIND", "STATUS", "RECEIVED", "REFUSED", "LAST RECEIVED"]
}

extension EmailMessage {
    var json: JSONValue {
        .members([("id", .string(id)), ("agent_id", .string(agentID)), ("alias_id", .string(aliasID)), ("recipient", .string(recipient)),
                 ("envelope_from", .string(envelopeFrom)), ("from", .string(from)), ("to", .string(to)), ("subject", .string(subject)),
                 ("date", .string(date)), ("message_id", .string(messageID)), ("size_bytes", .integer(sizeBytes))]
            + Render.time("received_at", receivedAtUs))
    }
}
