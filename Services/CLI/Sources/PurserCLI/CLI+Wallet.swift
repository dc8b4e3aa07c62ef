import PurserAPI
import PurserClient

extension CLI {
    static let idempotencyFlag = FlagSpec.optional("idempotency-key", "KEY", "repeat-safe key: the same key never applies twice")

    /// `purser wallet …`: balances, holds and the ledger.
    static let walletCommands = CommandNode.group(
        name: "wallet", summary: "balances, holds and the ledger",
        details: "Amounts are decimals of the tenant's currency (e.g. 12.5). Agents authorize and charge with their own secret, and give a\n"
            + "provider a payment token (pay-token) instead of their secret; providers capture, void and refund holds payable to them\n"
            + "(with --tenant) and charge an agent with its payment token (charge-agent). The operator may refund too.",
        [
            .verb(
                CommandSpec("fund", "money from outside into the tenant's treasury (tenant admin, or operator with --tenant)",
                            flags: [.required("amount", "AMOUNT", "amount"), .required("reference", "TEXT", "external reference (bank transfer, invoice)"),
                                    .optional("description", "TEXT", "note"), idempotencyFlag]),
                fund),
            .verb(
                CommandSpec("allocate", "treasury → agent, or ancestor → descendant with --from-agent",
                            flags: [agentFlag, .required("amount", "AMOUNT", "amount"),
                                    .optional("from-agent", "ID|HANDLE", "the ancestor that pays (an agent names itself)"),
                                    .optional("description", "TEXT", "note"), idempotencyFlag]),
                allocate),
            .verb(
                CommandSpec("reclaim", "agent → treasury, or descendant → ancestor with --to-agent",
                            flags: [agentFlag, .required("amount", "AMOUNT", "amount"),
                                    .optional("to-agent", "ID|HANDLE", "the ancestor that receives (an agent names itself)"),
                                    .optional("description", "TEXT", "note"), idempotencyFlag]),
                reclaim),
            .verb(
                CommandSpec("balance", "an agent's balance (agents: their own), or the treasury's",
                            flags: [.optional("agent", "ID|HANDLE", "the agent (default: the caller, or the treasury)")]),
                balance),
            .verb(
                CommandSpec("authorize", "place a hold on the calling agent's account",
                            flags: spendFlags + [.optional("ttl", "SECONDS", "how long the hold lasts (default 300)"), idempotencyFlag]),
                authorize),
            .verb(
                CommandSpec("capture", "take all or part of a hold (its payee: a provider, or the agent it pays)",
                            flags: [.required("hold", "ID", "hold id"), .optional("amount", "AMOUNT", "part to take (default: all)"), idempotencyFlag]),
                capture),
            .verb(CommandSpec("void", "release a hold (its payee)", flags: [.required("hold", "ID", "hold id"), idempotencyFlag]), void),
            .verb(CommandSpec("charge", "authorize and capture in one step (agent)", flags: spendFlags + [idempotencyFlag]), charge),
            .verb(
                CommandSpec("pay", "pay another agent of your tenant at once (agent); the credits land on its balance",
                            flags: [.required("to-agent", "ID|HANDLE@TENANT", "the agent paid, by id or as handle@tenant-slug"), .required("amount", "AMOUNT", "amount"),
                                    .optional("category", "CATEGORY", "spend category (default: agent)"),
                                    .optional("task", "ID", "task the spend belongs to"), .optional("description", "TEXT", "note"),
                                    idempotencyFlag]),
                pay),
            .verb(
                CommandSpec("pay-token", "issue a payment token for one provider (agent); prints the token alone",
                            flags: [.required("provider", "ID", "the provider the token pays"),
                                    .required("max", "AMOUNT", "the most every charge under the token may take together"),
                                    .optional("ttl", "SECONDS", "lifetime (default: the longest allowed, 1h)"),
                                    .toggle("single-use", "the token pays at most once")]),
                payToken),
            .verb(
                CommandSpec("charge-agent", "charge an agent with the payment token it gave you (provider)",
                            flags: [.required("token", "TOKEN", "the agent's payment token"), .required("amount", "AMOUNT", "amount"),
                                    .optional("category", "CATEGORY", "spend category (default: the provider's)"),
                                    .optional("task", "ID", "task the spend belongs to"), .optional("description", "TEXT", "note"),
                                    idempotencyFlag]),
                chargeAgent),
            .verb(
                CommandSpec("refund", "return all or part of a capture to the agent (the payee provider, or the operator with --tenant)",
                            flags: [.required("hold", "ID", "hold id"), .optional("amount", "AMOUNT", "part to refund (default: all)"),
                                    .optional("reason", "TEXT", "why"), idempotencyFlag]),
                refund),
            .verb(
                CommandSpec("entries", "ledger entries, newest first",
                            flags: [.optional("account", "ID", "agent id, provider id, treasury or funding"),
                                    .optional("kind", "KIND", "fund, allocate, reclaim, capture, refund, transfer, transfer_out, transfer_in, delegate or return"),
                                    .optional("limit", "N", "page size")]),
                entries),
            .verb(CommandSpec("audit", "prove the ledger's invariants; exits 1 when there is a discrepancy"), audit),
        ])

    static let spendFlags: [FlagSpec] = [
        .required("amount", "AMOUNT", "amount"), .required("provider", "ID", "provider paid"),
        .optional("category", "CATEGORY", "spend category (default: the provider's)"), .optional("task", "ID", "task the spend belongs to"),
        .optional("description", "TEXT", "note"),
    ]

    static func fund(_ context: CommandContext) async throws -> CommandOutput {
        var request = FundRequest()
        request.amountMicros = try context.command.requiredAmount("amount").micros
        request.externalReference = try context.command.required("reference")
        request.description = context.command.string("description") ?? ""
        let client = try context.client()
        request.tenantID = try await context.tenantID(client)
        let response = try await client.wallet().fund(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("entry_id", .string(response.entryID))] + Render.amount("amount", response.amountMicros)
                + Render.amount("treasury_balance", response.treasuryBalanceMicros) + [("currency", .string(response.currency))]),
            text: "funded \(Render.money(response.amountMicros)) \(response.currency); treasury balance \(Render.money(response.treasuryBalanceMicros))\n")
    }

    static func allocate(_ context: CommandContext) async throws -> CommandOutput {
        var request = AllocateRequest()
        request.amountMicros = try context.command.requiredAmount("amount").micros
        let (client, tenant, agentID) = try await agentTarget(context)
        request.agentID = agentID
        if let from = context.command.string("from-agent") {
            request.fromAgentID = try await resolveAgent(from, tenant: tenant, client: client)
        }
        request.description = context.command.string("description") ?? ""
        return transferred("allocated", try await client.wallet().allocate(request, idempotencyKey: context.idempotencyKey))
    }

    static func reclaim(_ context: CommandContext) async throws -> CommandOutput {
        var request = ReclaimRequest()
        request.amountMicros = try context.command.requiredAmount("amount").micros
        let (client, tenant, agentID) = try await agentTarget(context)
        request.agentID = agentID
        if let to = context.command.string("to-agent") {
            request.toAgentID = try await resolveAgent(to, tenant: tenant, client: client)
        }
        request.description = context.command.string("description") ?? ""
        return transferred("reclaimed", try await client.wallet().reclaim(request, idempotencyKey: context.idempotencyKey))
    }

    static func transferred(_ verb: String, _ response: TransferResponse) -> CommandOutput {
        CommandOutput(
            json: .members([("entry_id", .string(response.entryID))] + Render.amount("amount", response.amountMicros)
                + Render.amount("agent_balance", response.agentBalanceMicros) + Render.amount("agent_available", response.agentAvailableMicros)
                + Render.amount("treasury_balance", response.treasuryBalanceMicros) + [("currency", .string(response.currency))]),
            text: "\(verb) \(Render.money(response.amountMicros)) \(response.currency); agent available \(Render.money(response.agentAvailableMicros)), "
                + "treasury \(Render.money(response.treasuryBalanceMicros))\n")
    }

    static func balance(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        var request = GetBalanceRequest()
        if let agent = context.command.string("agent") {
            let tenant = try await context.tenantID(client)
            request.tenantID = tenant
            request.agentID = try await resolveAgent(agent, tenant: tenant, client: client)
        } else if let tenant = context.settings.tenantID {
            request.tenantID = tenant
        }
        let balance = try await client.wallet().balance(request)
        return CommandOutput(json: balance.json, text: Table.record(balance.record))
    }

    static func authorize(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = AuthorizeRequest()
        request.amountMicros = try command.requiredAmount("amount").micros
        request.providerID = try command.required("provider")
        request.category = command.string("category") ?? ""
        request.taskID = command.string("task") ?? ""
        request.description = command.string("description") ?? ""
        request.holdTTLSeconds = Int32(try command.integer("ttl", in: 1...86_400) ?? 0)
        let response = try await context.client().wallet().authorize(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID))] + Render.amount("amount", response.amountMicros)
                + Render.amount("available_after", response.availableAfterMicros) + [("currency", .string(response.currency))]
                + Render.time("expires_at", response.expiresAtUs)),
            text: Table.record([("hold", response.holdID), ("amount", "\(Render.money(response.amountMicros)) \(response.currency)"),
                                ("available after", Render.money(response.availableAfterMicros)),
                                ("expires", UTCDate.timestamp(response.expiresAtUs))]))
    }

    static func capture(_ context: CommandContext) async throws -> CommandOutput {
        var request = CaptureRequest()
        request.holdID = try context.command.required("hold")
        request.amountMicros = try context.command.amount("amount")?.micros
        let client = try context.client()
        request.tenantID = try await context.tenantID(client)
        let response = try await client.wallet().capture(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID)), ("entry_id", .string(response.entryID))]
                + Render.amount("captured", response.capturedMicros) + Render.amount("released", response.releasedMicros)
                + Render.amount("available_after", response.availableAfterMicros) + [("currency", .string(response.currency))]),
            text: "captured \(Render.money(response.capturedMicros)) \(response.currency) of hold \(response.holdID)"
                + (response.releasedMicros > 0 ? ", released \(Render.money(response.releasedMicros))" : "") + "\n")
    }

    static func void(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        var request = VoidRequest()
        request.tenantID = try await context.tenantID(client)
        request.holdID = try context.command.required("hold")
        let response = try await client.wallet().void(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID))] + Render.amount("released", response.releasedMicros)
                + Render.amount("available_after", response.availableAfterMicros)),
            text: "voided hold \(response.holdID), released \(Render.money(response.releasedMicros))\n")
    }

    static func charge(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = ChargeRequest()
        request.amountMicros = try command.requiredAmount("amount").micros
        request.providerID = try command.required("provider")
        request.category = command.string("category") ?? ""
        request.taskID = command.string("task") ?? ""
        request.description = command.string("description") ?? ""
        let response = try await context.client().wallet().charge(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID)), ("entry_id", .string(response.entryID))]
                + Render.amount("amount", response.amountMicros) + Render.amount("available_after", response.availableAfterMicros)
                + [("currency", .string(response.currency))]),
            text: "charged \(Render.money(response.amountMicros)) \(response.currency); available \(Render.money(response.availableAfterMicros))\n")
    }

    static func pay(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = ChargeRequest()
        request.amountMicros = try command.requiredAmount("amount").micros
        let payee = try command.required("to-agent")
        if payee.contains("@") { request.payeeAgent = payee } else { request.payeeAgentID = payee }
        request.category = command.string("category") ?? ""
        request.taskID = command.string("task") ?? ""
        request.description = command.string("description") ?? ""
        let response = try await context.client().wallet().charge(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID)), ("entry_id", .string(response.entryID)),
                            request.payeeAgent.isEmpty
                                ? ("payee_agent_id", .string(request.payeeAgentID)) : ("payee_agent", .string(request.payeeAgent))]
                + Render.amount("amount", response.amountMicros) + Render.amount("available_after", response.availableAfterMicros)
                + [("currency", .string(response.currency))]),
            text: "paid \(Render.money(response.amountMicros)) \(response.currency) to agent \(payee); "
                + "available \(Render.money(response.availableAfterMicros))\n")
    }

    static func payToken(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = IssuePaymentTokenRequest()
        request.providerID = try command.required("provider")
        request.maxAmountMicros = try command.requiredAmount("max").micros
        request.ttlSeconds = Int32(try command.integer("ttl", in: 1...86_400) ?? 0)
        request.singleUse = command.flag("single-use")
        let response = try await context.client().identity().issuePaymentToken(request)
        return CommandOutput(
            json: .members([("token", .string(response.token)), ("token_id", .string(response.tokenID)),
                           ("audience", .string(response.audience)), ("expires_at_us", .integer(response.expiresAtUs)),
                           ("single_use", .bool(response.singleUse))]
                + Render.amount("max", response.maxAmountMicros)),
            text: response.token + "\n")
    }

    static func chargeAgent(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = ChargeRequest()
        request.amountMicros = try command.requiredAmount("amount").micros
        request.category = command.string("category") ?? ""
        request.taskID = command.string("task") ?? ""
        request.description = command.string("description") ?? ""
        let response = try await context.client().wallet().charge(
            request, paymentToken: try command.required("token"), idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID)), ("entry_id", .string(response.entryID))]
                + Render.amount("amount", response.amountMicros) + [("currency", .string(response.currency))]),
            text: "charged \(Render.money(response.amountMicros)) \(response.currency) (hold \(response.holdID))\n")
    }

    static func refund(_ context: CommandContext) async throws -> CommandOutput {
        var request = RefundRequest()
        request.holdID = try context.command.required("hold")
        request.amountMicros = try context.command.amount("amount")?.micros
        request.reason = context.command.string("reason") ?? ""
        let client = try context.client()
        request.tenantID = try await context.tenantID(client)
        let response = try await client.wallet().refund(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("hold_id", .string(response.holdID)), ("entry_id", .string(response.entryID))]
                + Render.amount("refunded", response.refundedMicros) + Render.amount("total_refunded", response.totalRefundedMicros)
                + [("currency", .string(response.currency))]),
            text: "refunded \(Render.money(response.refundedMicros)) \(response.currency) of hold \(response.holdID)\n")
    }

    static func entries(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let client = try context.client()
        var request = ListEntriesRequest()
        request.tenantID = context.settings.tenantID ?? ""
        request.accountID = command.string("account") ?? ""
        let kinds: [String: LedgerEntryKind] = [
            "fund": .fund, "allocate": .allocate, "reclaim": .reclaim, "capture": .capture, "refund": .refund,
            "transfer": .transfer, "transfer_out": .transferOut, "transfer_in": .transferIn, "delegate": .delegate, "return": .return,
        ]
        if let kind = try command.choice("kind", kinds.keys.sorted()) { request.kind = kinds[kind] ?? .unspecified }
        request.pageSize = Int32(try command.integer("limit", in: 1...1000) ?? 0)
        let response = try await client.wallet().entries(request)
        return CommandOutput(
            json: .members([("entries", .array(response.entries.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(WalletEntry.columns, rows: response.entries.map(\.row)).rendered())
    }

    static func audit(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let response = try await client.wallet().audit(tenantID: context.settings.tenantID ?? "")
        let output = CommandOutput(
            json: .members([("clean", .bool(response.clean)),
                           ("discrepancies", .array(response.discrepancies.map {
                               .members([("tenant_id", .string($0.tenantID)), ("check", .string($0.check)), ("subject", .string($0.subject)),
                                        ("expected", .integer($0.expected)), ("actual", .integer($0.actual)),
                                        ("out_of_range", .bool($0.outOfRange))])
                           }))] + Render.time("checked_at", response.checkedAtUs)),
            text: response.clean
                ? "ledger audit clean at \(UTCDate.timestamp(response.checkedAtUs))\n"
                : Table(["TENANT", "CHECK", "SUBJECT", "EXPECTED", "ACTUAL"],
                        rows: response.discrepancies.map {
                            [$0.tenantID, $0.check, $0.subject, $0.outOfRange ? "past 64 bits" : String($0.expected),
                             $0.outOfRange ? "past 64 bits" : String($0.actual)]
                        }).rendered())
        guard response.clean else {
            throw CommandFailure(reason: "ledger_discrepancy", "\(response.discrepancies.count) ledger discrepancies", output: output)
        }
        return output
    }
}
