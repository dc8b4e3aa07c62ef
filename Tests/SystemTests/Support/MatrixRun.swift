import Foundation
import PurserAPI
import PurserGateway
import PurserRPC

/// One (method, principal) cell of the matrix: what the table says, what the service answered, and any acme data it leaked.
struct MatrixCell: Sendable {
    let method: String
    let principal: MatrixPrincipal
    let expected: ExpectedOutcome
    let answer: MatrixAnswer
    let leaks: [String]

    /// Over HTTP, a refusal's code is compared as the HTTP status the gateway maps it to.
    var matches: Bool {
        switch (expected, answer.httpStatus) {
        case (.ok, nil): answer.code == .ok
        case (.ok, let status?): status == 200
        case (.refused(let code, let reason), nil): answer.code == code && answer.reason == reason
        case (.refused(let code, let reason), let status?): status == Problem.httpStatus(code) && answer.reason == reason
        }
    }

    var actualDescription: String {
        if let status = answer.httpStatus { return status == 200 ? "HTTP 200" : "HTTP \(status)(\(answer.reason ?? "")): \(answer.message)" }
        return answer.code == .ok ? "OK" : "\(answer.code.name)(\(answer.reason ?? "")): \(answer.message)"
    }
}

/// One row of the matrix: `method` called with the request `request` builds
/// (fresh for each principal), and what `rule` says each principal gets.
/// `name` is the method's, or says which resource the row targets.
struct MatrixRow: Sendable {
    let name: String
    let method: String
    let rule: AccessRule
    let request: @Sendable (MatrixWorld, MatrixFixture) async throws -> [UInt8]
}

/// Runs the matrix: every method in `AccessExpectations.publishedMethods`
/// order, each called by every principal in `principals` at once.
enum MatrixRun {
    /// Principals entitled to see acme's data in an OK answer.
    static let entitled: Set<MatrixPrincipal> = Reach.services.union([.operator, .acmeAdmin, .acmeFinance, .ownerAgent, .payeeProvider])

    /// Over `purser/1`, or over HTTP through `gateway` (then only the methods it serves): one row per method.
    static func run(
        _ world: MatrixWorld, _ fixture: MatrixFixture, principals: [MatrixPrincipal], through gateway: MatrixGateway? = nil
    ) async throws -> [MatrixCell] {
        var rows: [MatrixRow] = []
        for method in gateway == nil ? AccessExpectations.publishedMethods : MatrixGateway.servedMethods {
            guard let rule = AccessExpectations.rules[method] else { throw MatrixWorld.MissingRequest(method: method) }
            rows.append(MatrixRow(name: method, method: method, rule: rule) { world, fixture in
                try await world.request(for: method, fixture)
            })
        }
        return try await run(rows, world, fixture, principals: principals, through: gateway)
    }

    /// Each of `rows` in order, each called by every principal in `principals` at once.
    static func run(
        _ rows: [MatrixRow], _ world: MatrixWorld, _ fixture: MatrixFixture, principals: [MatrixPrincipal],
        through gateway: MatrixGateway? = nil
    ) async throws -> [MatrixCell] {
        var cells: [MatrixCell] = []
        for matrixRow in rows {
            let (method, rule) = (matrixRow.method, matrixRow.rule)
            let row = try await withThrowingTaskGroup(of: MatrixCell.self) { group in
                for principal in principals {
                    group.addTask {
                        let request = try await matrixRow.request(world, fixture)
                        let expected = rule.expected(for: principal)
                        let answer = await fixture.call(
                            method, request, as: principal, extra: try await extra(method, principal, fixture), through: gateway)
                        var leaks: [String] = []
                        if !(expected.isEntitled && entitled.contains(principal)) {
                            let body = String(decoding: answer.body, as: UTF8.self)
                            leaks = world.secrets(hiddenFrom: principal, request: request).filter {
                                body.contains($0) || answer.message.contains($0)
                            }
                        }
                        return MatrixCell(method: matrixRow.name, principal: principal, expected: expected, answer: answer, leaks: leaks)
                    }
                }
                var row: [MatrixCell] = []
                for try await cell in group { row.append(cell) }
                return row
            }
            cells += row.sorted { $0.principal < $1.principal }
        }
        return cells
    }

    /// A provider charges an agent with the agent's payment token beside its own: here agent A's, bound to the payee.
    static func extra(_ method: String, _ principal: MatrixPrincipal, _ fixture: MatrixFixture) async throws -> Metadata {
        guard method == WalletMethods.charge.fullName, principal.kind == .provider,
            let token = try await fixture.token(for: .paymentToken)
        else { return [:] }
        return ["agent-authorization": "Bearer \(token)"]
    }

    /// A one-screen account of a run: its size and how the answers fall.
    static func summary(_ cells: [MatrixCell], elapsed: Duration) -> String {
        let methods = Set(cells.map(\.method)).count
        let principals = Set(cells.map(\.principal)).count
        var byOutcome: [String: Int] = [:]
        for cell in cells {
            let key = cell.answer.httpStatus.map { "HTTP \($0)(\(cell.answer.reason ?? ""))" }
                ?? (cell.answer.code == .ok ? "OK" : "\(cell.answer.code.name)(\(cell.answer.reason ?? ""))")
            byOutcome[key, default: 0] += 1
        }
        let outcomes = byOutcome.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let mismatches = cells.filter { !$0.matches }.count
        let leaks = cells.filter { !$0.leaks.isEmpty }.count
        return "authorization matrix: \(methods) methods x \(principals) principals = \(cells.count) calls in \(elapsed); "
            + "mismatches=\(mismatches) leaks=\(leaks); \(outcomes)"
    }
}
