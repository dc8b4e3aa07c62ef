import Foundation
import PurserAPI
import PurserClient
import PurserJSON
import PurserKit

extension CLI {
    /// `purser agents …`: agent identities (tenant admin).
    static let agentsCommands = CommandNode.group(
        name: "agents", summary: "agent identities: create, create-sub, list, tree, show, rotate-secret, suspend, resume, revoke, balance-alert",
        details: "--agent takes an agent id or handle.",
        [
            .verb(
                CommandSpec(
                    "create", "create an agent; prints its secret (once) and its email address",
                    flags: [.required("handle", "HANDLE", "unique per tenant: [a-z0-9][a-z0-9-]{1,62}"),
                            .optional("name", "NAME", "display name"),
                            .repeated("meta", "KEY=VALUE", "metadata entry"),
                            .optional("idempotency-key", "KEY", "repeat-safe key")]),
                createAgent),
            .verb(
                CommandSpec(
                    "create-sub", "create a sub-agent funded from its parent; prints its secret (once) and its email address",
                    flags: [.required("parent", "ID|HANDLE", "the parent agent (an agent may name only itself)"),
                            .required("handle", "HANDLE", "unique per tenant: [a-z0-9][a-z0-9-]{1,62}"),
                            .optional("name", "NAME", "display name"),
                            .optional("budget", "AMOUNT", "moved from the parent's available balance (default 0)"),
                            .optional("policy", "FILE", "policy override (JSON); it may only narrow the parent's"),
                            .repeated("meta", "KEY=VALUE", "metadata entry"),
                            .optional("idempotency-key", "KEY", "repeat-safe key")]),
                createSubAgent),
            .verb(
                CommandSpec(
                    "tree", "an agent and its descendants, indented, with status and balance (agents: their own subtree)",
                    flags: [.optional("agent", "ID|HANDLE", "the root of the tree (default: the caller, for an agent)")]),
                agentTree),
            .verb(
                CommandSpec("list", "list agents", flags: [.optional("status", "active|suspended|revoked", "only agents in this state"),
                                                           .optional("limit", "N", "page size")]),
                listAgents),
            .verb(CommandSpec("show", "show an agent", flags: [agentFlag]), showAgent),
            .verb(
                CommandSpec(
                    "rotate-secret", "issue a new agent secret; prints it once",
                    flags: [agentFlag, .optional("grace", "DURATION", "how long the old secret keeps working (default 0)")]),
                rotateAgentSecret),
            .verb(CommandSpec("suspend", "suspend an agent (reversible)", flags: [agentFlag]), suspendAgent),
            .verb(CommandSpec("resume", "resume a suspended agent", flags: [agentFlag]), resumeAgent),
            .verb(
                CommandSpec(
                    "revoke", "revoke an agent for good: its account is frozen, holds voided and mail refused before this returns",
                    flags: [agentFlag, .required("reason", "TEXT", "why (kept on the agent)")]),
                revokeAgent),
            .verb(
                CommandSpec(
                    "balance-alert", "fire agent.balance_low when the agent's available balance falls below an amount",
                    flags: [agentFlag, .required("below", "AMOUNT", "the threshold (0 turns the alert off)"),
                            .optional("idempotency-key", "KEY", "repeat-safe key")]),
                setBalanceAlert),
        ])

    static let agentFlag = FlagSpec.required("agent", "ID|HANDLE", "the agent")

    static func createAgent(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        let request = CreateAgentRequest(tenantID: tenant, handle: try command.required("handle"),
                                         displayName: command.string("name") ?? "", metadata: try command.pairs("meta"))
        let response = try await client.identity().createAgent(request, idempotencyKey: context.idempotencyKey)
        let agent = response.agent
        var address: String?
        var addressNote = ""
        do {
            address = try await client.email().primaryAddress(tenantID: tenant, agentID: agent.id).address
        } catch {
            addressNote = "email address not available yet: \(error)\n"
        }
        return CommandOutput(
            json: .members([("agent", agent.json), ("secret", .string(response.secret)), ("email", address.map(JSONValue.string) ?? .null)]),
            text: Table.record(agent.record + [("email", address ?? "-"), ("secret", response.secret)])
                + "The secret is shown once: give it to the agent (PURSER_SECRET).\n" + addressNote)
    }

    static func createSubAgent(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let client = try context.client()
        var request = CreateSubAgentRequest()
        request.tenantID = try await context.tenantID(client)
        request.parentAgentID = try await resolveAgent(try command.required("parent"), tenant: request.tenantID, client: client)
        request.handle = try command.required("handle")
        request.displayName = command.string("name") ?? ""
        request.metadata = try command.pairs("meta")
        request.budgetMicros = try command.amount("budget", allowZero: true)?.micros ?? 0
        if let path = command.string("policy") {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw UsageError(reason: "file_unreadable", "cannot read the policy file \(path)", path: command.path)
            }
            request.policyJSON = text
        }
        let response = try await client.identity().createSubAgent(request, idempotencyKey: context.idempotencyKey)
        let agent = response.agent
        let address = response.emailAddress.isEmpty ? nil : response.emailAddress
        return CommandOutput(
            json: .members([("agent", agent.json), ("secret", .string(response.secret)), ("email", address.map(JSONValue.string) ?? .null)]
                + Render.amount("budget", response.budgetMicros)),
            text: Table.record(agent.record + [("budget", Render.money(response.budgetMicros)), ("email", address ?? "-"),
                                               ("secret", response.secret)])
                + "The secret is shown once: give it to the sub-agent (PURSER_SECRET).\n")
    }

    /// `purser agents tree`: the subtree, parents before children, each line
    /// indented by its depth below the root, with its status and its
    /// available balance (or `-` when the caller may not read it).
    static func agentTree(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        var root = ""
        if let text = context.command.string("agent") { root = try await resolveAgent(text, tenant: tenant, client: client) }
        var agents: [Agent] = []
        var request = ListAgentsRequest(tenantID: tenant, pageSize: 500)
        request.subtreeOf = root
        repeat {
            let page = try await client.identity().listAgents(request)
            agents += page.agents
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        guard let top = agents.first else {
            throw UsageError(reason: "missing_flag", "--agent is required for a tenant key", path: context.command.path)
        }
        var balances: [String: Int64] = [:]
        for agent in agents {
            var balance = GetBalanceRequest()
            balance.agentID = agent.id
            if let read = try? await client.wallet().balance(balance) { balances[agent.id] = read.availableMicros }
        }
        // Children under their parent, in the order listed (parents come before children).
        var children: [String: [Agent]] = [:]
        for agent in agents.dropFirst() { children[agent.parentAgentID, default: []].append(agent) }
        var lines: [String] = []
        var json: [JSONValue] = []
        func visit(_ agent: Agent, _ level: Int) {
            let balance = balances[agent.id].map(Render.money) ?? "-"
            lines.append(String(repeating: "  ", count: level) + "\(agent.handle)  \(agent.status)  \(balance)  \(agent.id)")
            json.append(.members([("id", .string(agent.id)), ("handle", .string(agent.handle)), ("status", .string(agent.status.description)),
                                  ("parent_agent_id", .string(agent.parentAgentID)), ("level", .number(String(level)))]
                + (balances[agent.id].map { Render.amount("available", $0) } ?? [])))
            for child in children[agent.id] ?? [] { visit(child, level + 1) }
        }
        visit(top, 0)
        return CommandOutput(json: .members([("agents", .array(json))]), text: lines.joined(separator: "\n") + "\n")
    }

    static func listAgents(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let status: AgentStatus
        switch try command.choice("status", ["active", "suspended", "revoked"]) {
        case "active": status = .active
        case "suspended": status = .suspended
        case "revoked": status = .revoked
        default: status = .unspecified
        }
        let client = try context.client()
        let request = ListAgentsRequest(tenantID: try await context.tenantID(client),
                                        pageSize: Int32(try command.integer("limit", in: 1...1000) ?? 0), status: status)
        let response = try await client.identity().listAgents(request)
        return CommandOutput(
            json: .members([("agents", .array(response.agents.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(Agent.columns, rows: response.agents.map(\.row)).rendered())
    }

    static func showAgent(_ context: CommandContext) async throws -> CommandOutput {
        let (client, tenant, agentID) = try await agentTarget(context)
        let agent = try await client.identity().getAgent(tenantID: tenant, agentID: agentID)
        return CommandOutput(json: agent.json, text: Table.record(agent.record))
    }

    static func rotateAgentSecret(_ context: CommandContext) async throws -> CommandOutput {
        let grace = try context.command.duration("grace") ?? .zero
        let (client, tenant, agentID) = try await agentTarget(context)
        let response = try await client.identity().rotateAgentSecret(
            RotateAgentSecretRequest(tenantID: tenant, agentID: agentID, gracePeriodUs: grace.microseconds),
            idempotencyKey: context.idempotencyKey)
        return secretRotated(response)
    }

    static func suspendAgent(_ context: CommandContext) async throws -> CommandOutput {
        let (client, tenant, agentID) = try await agentTarget(context)
        let agent = try await client.identity().suspendAgent(tenantID: tenant, agentID: agentID)
        return CommandOutput(json: agent.json, text: "agent \(agent.handle) (\(agent.id)) is \(agent.status)\n")
    }

    static func resumeAgent(_ context: CommandContext) async throws -> CommandOutput {
        let (client, tenant, agentID) = try await agentTarget(context)
        let agent = try await client.identity().resumeAgent(tenantID: tenant, agentID: agentID)
        return CommandOutput(json: agent.json, text: "agent \(agent.handle) (\(agent.id)) is \(agent.status)\n")
    }

    static func revokeAgent(_ context: CommandContext) async throws -> CommandOutput {
        let reason = try context.command.required("reason")
        let (client, tenant, agentID) = try await agentTarget(context)
        let response = try await client.identity().revokeAgent(tenantID: tenant, agentID: agentID, reason: reason)
        let agent = response.agent
        return CommandOutput(
            json: .members([("agent", agent.json), ("acknowledged", Render.strings(response.acknowledged)),
                           ("pending", Render.strings(response.pending)),
                           ("revoked_descendant_ids", Render.strings(response.revokedDescendantIDs))]),
            text: "agent \(agent.handle) (\(agent.id)) revoked at \(UTCDate.timestamp(agent.revokedAtUs))\n"
                + (response.revokedDescendantIDs.isEmpty ? "" : "with its \(response.revokedDescendantIDs.count) descendants\n")
                + "acknowledged by: \(Render.list(response.acknowledged))\n"
                + (response.pending.isEmpty ? "" : "still being notified: \(Render.list(response.pending))\n"))
    }

    static func setBalanceAlert(_ context: CommandContext) async throws -> CommandOutput {
        guard let below = try context.command.amount("below", allowZero: true) else {
            throw UsageError(reason: "missing_flag", "--below is required", path: context.command.path)
        }
        let (client, _, agentID) = try await agentTarget(context)
        var request = SetBalanceAlertRequest()
        request.agentID = agentID
        request.balanceLowMicros = below.micros
        let balance = try await client.wallet().setBalanceAlert(request, idempotencyKey: context.idempotencyKey ?? UUID().uuidString)
        return CommandOutput(
            json: .members([("agent_id", .string(agentID))] + Render.amount("below", balance.balanceLowMicros)
                + Render.amount("available", balance.availableMicros) + [("currency", .string(balance.currency))]),
            text: balance.balanceLowMicros == 0
                ? "balance alert of \(agentID) is off\n"
                : "agent.balance_low fires when \(agentID) falls below \(Render.money(balance.balanceLowMicros)) \(balance.currency) "
                    + "(available now \(Render.money(balance.availableMicros)))\n")
    }

    /// The client, tenant and agent id a `--agent` command acts on.
    static func agentTarget(_ context: CommandContext) async throws -> (PurserClient, String, String) {
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        let agentID = try await resolveAgent(try context.command.required("agent"), tenant: tenant, client: client)
        return (client, tenant, agentID)
    }

    /// An agent id as given, or the id of the agent with that handle.
    static func resolveAgent(_ text: String, tenant: String, client: PurserClient) async throws -> String {
        if looksLikeID(text) { return text }
        var pageToken = ""
        repeat {
            let page = try await client.identity().listAgents(ListAgentsRequest(tenantID: tenant, pageSize: 500, pageToken: pageToken))
            if let agent = page.agents.first(where: { $0.handle == text }) { return agent.id }
            pageToken = page.nextPageToken
        } while !pageToken.isEmpty
        throw PurserClientError(code: .notFound, message: "no agent with handle \"\(text)\"", reason: "agent_not_found")
    }

    /// Whether `text` has the shape of a lowercase canonical UUID.
    static func looksLikeID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return false }
            }
        }
        return true
    }
}
