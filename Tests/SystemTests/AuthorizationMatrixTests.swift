import Foundation
import PurserTestSupport
import Testing

/// The cross-service authorization matrix: every RPC of every service, called
/// by every principal against the real executables, answers what the contract (the `.proto` headers)
/// says (status and reason) and never shows another tenant's data.
@Suite struct AuthorizationMatrixTests {
    /// `service Identity { rpc Bootstrap(…) … }` of every service proto, as full method names.
    static func protoMethods() throws -> Set<String> {
        let directory = TestEnvironment.repositoryRoot() + "/Shared/PurserAPI/proto"
        var names: Set<String> = []
        for file in ["identity", "wallet", "policy", "settlement", "email"] {
            let text = try String(contentsOfFile: "\(directory)/\(file).proto", encoding: .utf8)
            var package = ""
            var service = ""
            for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let words = line.split(whereSeparator: { " ({;".contains($0) })
                guard words.count >= 2 else { continue }
                switch words[0] {
                case "package": package = String(words[1])
                case "service": service = String(words[1])
                case "rpc": names.insert("\(package).\(service)/\(words[1])")
                default: break
                }
            }
        }
        return names
    }

    @Test func everyRPCOfEveryServiceHasExactlyOneRowInTheMatrix() throws {
        let published = AccessExpectations.publishedMethods
        #expect(Set(published).count == published.count, "a method is published twice")
        let proto = try Self.protoMethods()
        #expect(proto.count >= 50, "the proto files were read: \(proto.count) rpcs")
        let disagreement = Set(published).symmetricDifference(proto).sorted()
        #expect(Set(published) == proto, "allNames and the proto schema disagree: \(disagreement)")
        let rows = Set(AccessExpectations.rules.keys)
        #expect(rows.subtracting(published).isEmpty, "rows for methods no service has: \(rows.subtracting(published).sorted())")
        #expect(Set(published).subtracting(rows).isEmpty,
                "RPCs without a row in the authorization matrix: \(Set(published).subtracting(rows).sorted())")
    }

    @Test(.timeLimit(.minutes(5))) func everyPrincipalGetsItsExpectedAnswerFromEveryRPCAndNoAcmeData() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            try await Self.runLive(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    static func runLive(_ deployment: Deployment) async throws {
        let fixture = try MatrixFixture(deployment: deployment, refreshAfter: .seconds(600))
        defer { fixture.close() }
        let world = try await MatrixWorld.make(fixture)
        let started = ContinuousClock.now
        let cells = try await MatrixRun.run(world, fixture, principals: MatrixPrincipal.live)
        print(MatrixRun.summary(cells, elapsed: ContinuousClock.now - started))
        #expect(cells.count == AccessExpectations.publishedMethods.count * MatrixPrincipal.live.count)
        for cell in cells {
            #expect(cell.matches, "\(cell.method) as \(cell.principal): expected \(cell.expected), got \(cell.actualDescription)")
            #expect(cell.leaks.isEmpty, "\(cell.method) as \(cell.principal) showed acme data \(cell.leaks): \(cell.actualDescription)")
        }
        if cells.contains(where: { !$0.matches }) { print(deployment.logs()) }
    }
}
