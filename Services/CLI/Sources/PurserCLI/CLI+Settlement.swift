import Foundation
import PurserAPI
import PurserClient
import PurserJSON

extension CLI {
    static let periodFlags: [FlagSpec] = [
        .optional("from", "YYYY-MM-DD", "first day (UTC; default today)"),
        .optional("to", "YYYY-MM-DD", "day after the last (default: --from + 1 day)"),
    ]

    /// `purser settlement …`: runs, batches, statements, payouts, exports, reconciliation.
    static let settlementCommands = CommandNode.group(
        name: "settlement", summary: "settlement: run, batches, tenant-batches, statement, payout, export, mark-paid, reconcile",
        details: "Periods are whole UTC days: --from is inclusive, --to exclusive.",
        [
            .verb(CommandSpec("run", "settle a period (operator; running it again changes nothing)", flags: periodFlags), runSettlement),
            .verb(
                CommandSpec("batches", "list batches, newest period first",
                            flags: [.optional("state", "open|closed|paid", "only this state"), .optional("provider", "ID", "only this provider")]),
                listBatches),
            .verb(
                CommandSpec("tenant-batches", "list batches of payments between tenants (netted per pair), newest period first",
                            flags: [.optional("state", "open|closed|paid", "only this state")]),
                listTenantBatches),
            .verb(
                CommandSpec("mark-tenant-batch-paid", "record that the debtor of a closed tenant batch paid (operator)",
                            flags: [.required("batch", "ID", "tenant batch id"), .required("reference", "TEXT", "the payment's external reference")]),
                markTenantBatchPaid),
            .verb(CommandSpec("statement", "what the tenant spent, per agent, provider, category and day", flags: periodFlags), statement),
            .verb(CommandSpec("payout", "what is payable to a provider", flags: [.required("provider", "ID", "provider")] + periodFlags), payout),
            .verb(
                CommandSpec("export", "a statement, payout or the tenant's tenant batches as CSV or JSON",
                            flags: [.optional("kind", "statement|payout|tenant-batches", "report (default statement)"),
                                    .optional("format", "csv|json", "file format (default csv)"),
                                    .optional("provider", "ID", "the payout's provider"),
                                    .optional("output", "FILE", "write here instead of standard output")] + periodFlags),
                export),
            .verb(
                CommandSpec("mark-paid", "record that a closed batch was paid (operator)",
                            flags: [.required("batch", "ID", "batch id"), .required("reference", "TEXT", "the payment's external reference")]),
                markPaid),
            .verb(CommandSpec("reconcile", "prove settlement totals equal ledger totals; exits 1 on a discrepancy", flags: periodFlags), reconcile),
        ])

    static func period(_ context: CommandContext) throws(UsageError) -> Period {
        let bounds = try PeriodArgument.bounds(from: context.command, nowUs: nowUs())
        return Period(startAtUs: bounds.startAtUs, endAtUs: bounds.endAtUs)
    }

    static func periodText(_ period: Period) -> String {
        "\(UTCDate.day(period.startAtUs)) .. \(UTCDate.day(period.endAtUs))"
    }

    static func runSettlement(_ context: CommandContext) async throws -> CommandOutput {
        let response = try await context.client().settlement().run(period: try period(context))
        return CommandOutput(
            json: .members([("period", response.period.json), ("closed", .bool(response.closed)), ("changed", .bool(response.changed)),
                           ("entries_settled", .integer(response.entriesSettled)), ("adjustments_settled", .integer(response.adjustmentsSettled)),
                           ("batches", .array(response.batches.map(\.json))),
                           ("out_of_range_batch_ids", .array(response.outOfRangeBatchIDs.map(JSONValue.string)))]),
            text: "settled \(periodText(response.period)): \(response.entriesSettled) entries, "
                + "\(response.closed ? "closed" : "open (the period has not ended)")\(response.changed ? "" : ", nothing changed")\n"
                + Table(Batch.columns, rows: response.batches.map(\.row)).rendered()
                + (response.outOfRangeBatchIDs.isEmpty ? ""
                    : "batches whose totals do not fit in 64 bits (total_out_of_range): "
                        + response.outOfRangeBatchIDs.joined(separator: ", ") + "\n"))
    }

    /// The `--state` flag: unspecified when absent.
    static func batchState(_ context: CommandContext) throws(UsageError) -> BatchState {
        switch try context.command.choice("state", ["open", "closed", "paid"]) {
        case "open": .open
        case "closed": .closed
        case "paid": .paid
        default: .unspecified
        }
    }

    static func listBatches(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var request = ListBatchesRequest()
        request.tenantID = context.settings.tenantID ?? ""
        request.providerID = command.string("provider") ?? ""
        request.state = try batchState(context)
        let response = try await context.client().settlement().batches(request)
        return CommandOutput(
            json: .members([("batches", .array(response.batches.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(Batch.columns, rows: response.batches.map(\.row)).rendered())
    }

    static func listTenantBatches(_ context: CommandContext) async throws -> CommandOutput {
        let request = ListTenantBatchesRequest(tenantID: context.settings.tenantID ?? "", state: try batchState(context))
        let response = try await context.client().settlement().tenantBatches(request)
        return CommandOutput(
            json: .members([("batches", .array(response.batches.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(TenantBatch.columns, rows: response.batches.map(\.row)).rendered())
    }

    static func markTenantBatchPaid(_ context: CommandContext) async throws -> CommandOutput {
        let batch = try await context.client().settlement().markTenantBatchPaid(
            batchID: try context.command.required("batch"), externalReference: try context.command.required("reference"))
        return CommandOutput(json: batch.json, text: "tenant batch \(batch.id) is \(batch.state) (reference \(batch.externalReference))\n")
    }

    static func statement(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let statement = try await client.settlement().statement(tenantID: try await context.tenantID(client), period: try period(context))
        func totals(_ name: String, _ values: [StatementTotal]) -> (String, JSONValue) {
            (name, .array(values.map { .members([("key", .string($0.key)), ("currency", .string($0.currency))]
                + Render.amount("capture", $0.captureMicros) + Render.amount("refund", $0.refundMicros)
                + Render.amount("net", $0.netMicros) + [("entry_count", .integer($0.entryCount))]) }))
        }
        func table(_ title: String, _ values: [StatementTotal]) -> String {
            "\(title)\n" + Table(["KEY", "CURRENCY", "CAPTURED", "REFUNDED", "NET", "ENTRIES"],
                                 rows: values.map { [$0.key, $0.currency, Render.money($0.captureMicros), Render.money($0.refundMicros),
                                                     Render.money($0.netMicros), String($0.entryCount)] }).rendered()
        }
        return CommandOutput(
            json: .members([("tenant_id", .string(statement.tenantID)), ("period", statement.period.json),
                           totals("totals", statement.totals), totals("by_agent", statement.byAgent), totals("by_provider", statement.byProvider),
                           totals("by_category", statement.byCategory), totals("by_day", statement.byDay),
                           ("other_tenants", .array(statement.otherTenants.map { .members(
                               [("other_tenant_id", .string($0.otherTenantID)), ("currency", .string($0.currency))]
                               + Render.amount("paid", $0.paidMicros) + Render.amount("received", $0.receivedMicros)
                               + Render.amount("owes", $0.owesMicros) + [("transfer_count", .integer($0.transferCount))]) }))]),
            text: "statement of \(statement.tenantID), \(periodText(statement.period))\n" + table("TOTAL", statement.totals)
                + table("BY AGENT", statement.byAgent) + table("BY PROVIDER", statement.byProvider)
                + table("BY CATEGORY", statement.byCategory) + table("BY DAY", statement.byDay)
                + (statement.otherTenants.isEmpty ? "" : "OTHER TENANTS (owes > 0: this tenant owes; < 0: it is owed)\n"
                    + Table(["TENANT", "CURRENCY", "PAID", "RECEIVED", "OWES", "TRANSFERS"],
                            rows: statement.otherTenants.map { [$0.otherTenantID, $0.currency, Render.money($0.paidMicros),
                                                                Render.money($0.receivedMicros), Render.money($0.owesMicros),
                                                                String($0.transferCount)] }).rendered()))
    }

    static func payout(_ context: CommandContext) async throws -> CommandOutput {
        let payout = try await context.client().settlement().payout(providerID: try context.command.required("provider"), period: try period(context))
        return CommandOutput(
            json: .members([("provider_id", .string(payout.providerID)), ("period", payout.period.json),
                           ("totals", .array(payout.totals.map { .members([("currency", .string($0.currency))] + Render.amount("net", $0.netMicros)
                               + Render.amount("paid", $0.paidMicros) + Render.amount("due", $0.dueMicros) + Render.amount("pending", $0.pendingMicros)) })),
                           ("batches", .array(payout.batches.map(\.json)))]),
            text: Table(["CURRENCY", "NET", "PAID", "DUE", "PENDING"],
                        rows: payout.totals.map { [$0.currency, Render.money($0.netMicros), Render.money($0.paidMicros), Render.money($0.dueMicros),
                                                   Render.money($0.pendingMicros)] }).rendered()
                + Table(Batch.columns, rows: payout.batches.map(\.row)).rendered())
    }

    static func export(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let kind = try command.choice("kind", ["statement", "payout", "tenant-batches"]) ?? "statement"
        let format = try command.choice("format", ["csv", "json"]) ?? "csv"
        let client = try context.client()
        var request = ExportReportRequest()
        request.kind = switch kind {
        case "payout": .payout
        case "tenant-batches": .tenantBatches
        default: .statement
        }
        request.format = format == "csv" ? .csv : .json
        request.period = try period(context)
        if kind == "payout" {
            request.providerID = try command.required("provider")
        } else {
            request.tenantID = try await context.tenantID(client)
        }
        let report = try await client.settlement().export(request)
        let json = JSONValue.members([("file_name", .string(report.fileName)), ("content_type", .string(report.contentType)),
                                     ("bytes", .integer(Int64(report.content.count))), ("output", command.string("output").map(JSONValue.string) ?? .null),
                                     ("content", .string(String(decoding: report.content, as: UTF8.self)))])
        if let path = command.string("output") {
            guard FileManager.default.createFile(atPath: path, contents: Data(report.content)) else {
                throw CommandFailure(reason: "output_not_written", "cannot write \(path)")
            }
            return CommandOutput(json: json, text: "wrote \(report.content.count) bytes to \(path) (\(report.fileName))\n")
        }
        return CommandOutput(json: json, text: String(decoding: report.content, as: UTF8.self))
    }

    static func markPaid(_ context: CommandContext) async throws -> CommandOutput {
        let batch = try await context.client().settlement().markPaid(batchID: try context.command.required("batch"),
                                                                     externalReference: try context.command.required("reference"))
        return CommandOutput(json: batch.json, text: "batch \(batch.id) is \(batch.state) (reference \(batch.externalReference))\n")
    }

    static func reconcile(_ context: CommandContext) async throws -> CommandOutput {
        let response = try await context.client().settlement().reconcile(period: try period(context))
        let output = CommandOutput(
            json: .members([("period", response.period.json), ("balanced", .bool(response.balanced)), ("ledger_source", .string(response.ledgerSource)),
                           ("lines", .array(response.lines.map { .members([("tenant_id", .string($0.tenantID)), ("provider_id", .string($0.providerID)),
                                                                         ("currency", .string($0.currency))]
                               + Render.amount("ledger_net", $0.ledgerNetMicros) + Render.amount("recorded_net", $0.recordedNetMicros)
                               + Render.amount("batched_net", $0.batchedNetMicros) + Render.amount("unbatched_net", $0.unbatchedNetMicros)) })),
                           ("discrepancies", .array(response.discrepancies.map { .members([("kind", .string($0.kind)), ("tenant_id", .string($0.tenantID)),
                                                                                         ("provider_id", .string($0.providerID)),
                                                                                         ("counter_tenant_id", .string($0.counterTenantID)),
                                                                                         ("batch_id", .string($0.batchID))]
                               + Render.amount("expected", $0.expectedMicros) + Render.amount("actual", $0.actualMicros)) }))]),
            text: "reconciliation of \(periodText(response.period)): \(response.balanced ? "balanced" : "DISCREPANCIES")\n"
                + Table(["TENANT", "PROVIDER", "CURRENCY", "LEDGER", "RECORDED", "BATCHED", "UNBATCHED"],
                        rows: response.lines.map { [$0.tenantID, $0.providerID, $0.currency, Render.money($0.ledgerNetMicros),
                                                    Render.money($0.recordedNetMicros), Render.money($0.batchedNetMicros),
                                                    Render.money($0.unbatchedNetMicros)] }).rendered()
                + (response.discrepancies.isEmpty ? "" : Table(["KIND", "TENANT", "PROVIDER / OTHER TENANT", "BATCH", "EXPECTED", "ACTUAL"],
                    rows: response.discrepancies.map { [$0.kind, $0.tenantID, $0.counterTenantID.isEmpty ? $0.providerID : $0.counterTenantID,
                                                        Render.orDash($0.batchID),
                                                        Render.money($0.expectedMicros), Render.money($0.actualMicros)] }).rendered()))
        guard response.balanced else {
            throw CommandFailure(reason: "reconciliation_discrepancy", "\(response.discrepancies.count) discrepancies", output: output)
        }
        return output
    }
}

extension Period {
    var json: JSONValue {
        .members([("from", .string(UTCDate.day(startAtUs))), ("to", .string(UTCDate.day(endAtUs))), ("start_at_us", .integer(startAtUs)),
                 ("end_at_us", .integer(endAtUs))])
    }
}

extension Batch {
    var json: JSONValue {
        .members([("id", .string(id)), ("tenant_id", .string(tenantID)), ("provider_id", .string(providerID)), ("currency", .string(currency)),
                 ("period", period.json), ("state", .string(state.description))]
            + Render.amount("capture", captureMicros) + Render.amount("refund", refundMicros) + Render.amount("net", netMicros)
            + [("entry_count", .integer(entryCount)), ("external_reference", .string(externalReference))]
            + Render.time("closed_at", closedAtUs) + Render.time("paid_at", paidAtUs))
    }

    var row: [String] {
        [id, tenantID, providerID, UTCDate.day(period.startAtUs), state.description, Render.money(netMicros), currency, String(entryCount)]
    }
    static let columns = ["BATCH", "TENANT", "PROVIDER", "PERIOD", "STATE", "NET", "CURRENCY", "ENTRIES"]
}

extension TenantBatch {
    var json: JSONValue {
        .members([("id", .string(id)), ("tenant_low_id", .string(tenantLowID)), ("tenant_high_id", .string(tenantHighID)),
                 ("currency", .string(currency)), ("period", period.json), ("state", .string(state.description)),
                 ("debtor_tenant_id", .string(debtorTenantID)), ("creditor_tenant_id", .string(creditorTenantID))]
            + Render.amount("low_to_high", lowToHighMicros) + Render.amount("high_to_low", highToLowMicros) + Render.amount("net", netMicros)
            + [("transfer_count", .integer(transferCount)), ("external_reference", .string(externalReference))]
            + Render.time("closed_at", closedAtUs) + Render.time("paid_at", paidAtUs))
    }

    var row: [String] {
        [id, debtorTenantID, creditorTenantID, UTCDate.day(period.startAtUs), state.description, Render.money(netMicros), currency,
         String(transferCount)]
    }
    static let columns = ["BATCH", "DEBTOR", "CREDITOR", "PERIOD", "STATE", "NET", "CURRENCY", "TRANSFERS"]
}
