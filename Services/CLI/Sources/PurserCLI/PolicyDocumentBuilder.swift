import PurserJSON
import PurserKit

/// Builds a policy document (the Policy service's JSON form, amounts as
/// decimal strings) from `purser policy set` flags:
/// `--per-call-max 5 --limit daily=20 --limit hourly=2:search,llm
/// --block-category gambling --allow-provider openai`.
enum PolicyDocumentBuilder {
    static let intervals = ["per_task", "hourly", "daily", "weekly", "monthly", "lifetime"]

    /// The document, or nil when none of the builder flags was given.
    static func document(from command: ParsedCommand) throws(UsageError) -> JSONValue? {
        var members: [(String, JSONValue)] = []
        if let perCall = try command.amount("per-call-max") {
            members.append(("per_call_max", .string(perCall.description)))
        }
        var limits: [JSONValue] = []
        for entry in command.strings("limit") {
            limits.append(try limit(entry, path: command.path))
        }
        if !limits.isEmpty { members.append(("limits", .array(limits))) }
        for (flag, key) in [("allow-category", "allowed_categories"), ("block-category", "blocked_categories"),
                            ("allow-provider", "allowed_providers"), ("block-provider", "blocked_providers")] {
            let names = command.strings(flag).flatMap { $0.split(separator: ",").map { $0.trimmingSpaces() } }.filter { !$0.isEmpty }
            if !names.isEmpty { members.append((key, .array(names.map(JSONValue.string)))) }
        }
        return members.isEmpty ? nil : .members(members)
    }

    /// `INTERVAL=AMOUNT[:CATEGORY,...]`, e.g. `daily=20` or `hourly=2:search,llm`.
    static func limit(_ text: String, path: [String]) throws(UsageError) -> JSONValue {
        func invalid(_ why: String) -> UsageError {
            UsageError(reason: "invalid_value", "--limit \"\(text)\": \(why) (expected INTERVAL=AMOUNT[:CATEGORY,...], e.g. daily=20)", path: path)
        }
        guard let equals = text.firstIndex(of: "=") else { throw invalid("missing =") }
        let interval = String(text[..<equals])
        guard intervals.contains(interval) else { throw invalid("interval must be one of \(intervals.joined(separator: ", "))") }
        var rest = text[text.index(after: equals)...]
        var categories: [String] = []
        if let colon = rest.firstIndex(of: ":") {
            categories = rest[rest.index(after: colon)...].split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            rest = rest[..<colon]
            guard !categories.isEmpty else { throw invalid("no category after :") }
        }
        let amount: Money
        do {
            amount = try Money(parsing: String(rest))
        } catch {
            throw invalid(error.description)
        }
        guard amount.isPositive else { throw invalid("the amount must be greater than zero") }
        var members: [(String, JSONValue)] = [("amount", .string(amount.description)), ("interval", .string(interval))]
        if !categories.isEmpty { members.append(("categories", .array(categories.map(JSONValue.string)))) }
        return .members(members)
    }
}
