import PurserAPI
import PurserJSON

extension WalletBalance {
    var json: JSONValue {
        .members([("account_id", .string(accountID)), ("agent_id", .string(agentID)), ("status", .string(status.description)),
                 ("currency", .string(currency))]
            + Render.amount("balance", balanceMicros) + Render.amount("held", heldMicros) + Render.amount("available", availableMicros)
            + Render.time("as_of", asOfUs))
    }

    var record: [(String, String)] {
        [("account", agentID.isEmpty ? "treasury" : agentID), ("status", status.description),
         ("balance", "\(Render.money(balanceMicros)) \(currency)"), ("held", Render.money(heldMicros)),
         ("available", Render.money(availableMicros))]
    }
}

extension WalletEntry {
    var json: JSONValue {
        .members([("entry_id", .string(entryID)), ("kind", .string(kind.description)), ("debit_account", .string(debitAccount)),
                 ("credit_account", .string(creditAccount))] + Render.amount("amount", amountMicros)
            + [("currency", .string(currency)), ("agent_id", .string(agentID)), ("provider_id", .string(providerID)),
               ("category", .string(category)), ("hold_id", .string(holdID)), ("external_reference", .string(externalReference)),
               ("description", .string(description))]
            + Render.time("created_at", createdAtUs))
    }

    var row: [String] {
        [UTCDate.timestamp(createdAtUs), kind.description, debitAccount, creditAccount, Render.money(amountMicros),
         Render.orDash(category), Render.orDash(holdID)]
    }
    static let columns = ["TIME", "KIND", "DEBIT", "CREDIT", "AMOUNT", "CATEGORY", "HOLD"]
}
