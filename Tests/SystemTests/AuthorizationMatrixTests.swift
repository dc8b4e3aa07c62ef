import Foundation
import PurserGateway
import PurserTestSupport
import Testing

/// The cross-service authorization matrix: every RPC of every service, called
/// by every principal against the real executables, answers what the contract (the `.proto` headers)
/// says (status and reason) and never shows another tenant's data; Capture and Void also have a row
/// for a hold paying an agent, and the policy methods one for a sub-agent's override
/// (`AccessExpectations.targetedRows`).
@Suite struct AuthorizationMatrixTests {
    /// `publishedMethods` is every rpc of the `.proto` files: the `…Methods` tables are generated
    /// from them, and `PurserAPITests` fails when the generated code is stale.
    @Test func everyRPCOfEveryServiceHasExactlyOneRowInTheMatrix() {
        let published = AccessExpectations.publishedMethods
        #expect(Set(published).count == published.count, "a method is published twice")
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

    /// The same matrix over HTTP through `purser-gateway`, for every method it
    /// serves and every principal that is a token or no token (a client
    /// certificate is not presented through the gateway): each refusal is the
    /// HTTP status its code maps to, with the same reason, and no answer shows
    /// another tenant's data.
    @Test(.timeLimit(.minutes(5))) func everyPrincipalGetsItsExpectedAnswerOverHTTPThroughTheGateway() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            let gateway = try MatrixGateway(port: try await deployment.startGateway())
            defer { gateway.close() }
            let fixture = try MatrixFixture(deployment: deployment, refreshAfter: .seconds(600))
            defer { fixture.close() }
            let world = try await MatrixWorld.make(fixture)
            let started = ContinuousClock.now
            let principals = MatrixPrincipal.live.filter { $0.certificate == nil }
            let methodCells = try await MatrixRun.run(world, fixture, principals: principals, through: gateway)
            #expect(methodCells.count == MatrixGateway.servedMethods.count * principals.count)
            let targetedCells = try await MatrixRun.run(AccessExpectations.targetedRows, world, fixture, principals: principals, through: gateway)
            #expect(targetedCells.count == AccessExpectations.targetedRows.count * principals.count)
            let cells = methodCells + targetedCells
            print(MatrixRun.summary(cells, elapsed: ContinuousClock.now - started))
            #expect(MatrixGateway.servedMethods.count == GatewayRoutes.all.count, "every route's method is in the matrix")
            for cell in cells {
                #expect(cell.matches, "\(cell.method) as \(cell.principal): expected \(cell.expected), got \(cell.actualDescription)")
                #expect(cell.leaks.isEmpty, "\(cell.method) as \(cell.principal) showed acme data \(cell.leaks): \(cell.actualDescription)")
            }
            if cells.contains(where: { !$0.matches }) { print(deployment.logs()) }
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
        let methodCells = try await MatrixRun.run(world, fixture, principals: MatrixPrincipal.live)
        #expect(methodCells.count == AccessExpectations.publishedMethods.count * MatrixPrincipal.live.count)
        let targetedCells = try await MatrixRun.run(AccessExpectations.targetedRows, world, fixture, principals: MatrixPrincipal.live)
        #expect(targetedCells.count == AccessExpectations.targetedRows.count * MatrixPrincipal.live.count)
        let cells = methodCells + targetedCells
        print(MatrixRun.summary(cells, elapsed: ContinuousClock.now - started))
        for cell in cells {
            #expect(cell.matches, "\(cell.method) as \(cell.principal): expected \(cell.expected), got \(cell.actualDescription)")
            #expect(cell.leaks.isEmpty, "\(cell.method) as \(cell.principal) showed acme data \(cell.leaks): \(cell.actualDescription)")
        }
        if cells.contains(where: { !$0.matches }) { print(deployment.logs()) }
    }
}
