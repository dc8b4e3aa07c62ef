import Foundation
import Glibc
import PurserAPI
import Testing

/// The expired-token row of the authorization matrix. A genuinely expired
/// token must be one Identity signed, so this suite starts its own deployment
/// with the shortest token lifetime Identity accepts (10 s), takes the acme
/// admin's token, waits out the lifetime and the verifiers' 30 s leeway, and
/// calls every RPC of every service with it. It sets the lifetime through the
/// process environment the deployment copies, so it runs alone (`Isolated`).
@Suite struct IsolatedExpiredTokenMatrixTests {
    static let lifetime = Duration.seconds(10)
    static let leeway = Duration.seconds(30)

    @Test(.timeLimit(.minutes(5))) func anExpiredTokenIsRefusedByEveryRPCOfEveryService() async throws {
        let deployment = try await Deployment.withIdentityTokenLifetime("10s")
        do {
            try await deployment.waitUntilServing()
            let fixture = try MatrixFixture(deployment: deployment, refreshAfter: .seconds(5))
            defer { fixture.close() }
            let world = try await MatrixWorld.make(fixture)
            let issued = try #require(fixture.tokenObtainedAt(.expiredToken))
            try await Task.sleep(until: issued.advanced(by: Self.lifetime + Self.leeway + .seconds(2)), clock: .continuous)
            let started = ContinuousClock.now
            let cells = try await MatrixRun.run(world, fixture, principals: [.expiredToken])
            print(MatrixRun.summary(cells, elapsed: ContinuousClock.now - started))
            #expect(cells.count == AccessExpectations.publishedMethods.count)
            // Bootstrap, Authenticate and GetSigningKeys read no token; EndSession reads the one in its request.
            let readNoCallerToken: Set = [IdentityMethods.bootstrap.fullName, IdentityMethods.authenticate.fullName,
                                          IdentityMethods.getSigningKeys.fullName, IdentityMethods.endSession.fullName]
            #expect(Set(cells.filter { $0.answer.reason != "token_expired" }.map(\.method)) == readNoCallerToken,
                    "every method that reads the caller's token refuses it as expired")
            for cell in cells {
                #expect(cell.matches, "\(cell.method) with an expired token: expected \(cell.expected), got \(cell.actualDescription)")
                #expect(cell.leaks.isEmpty, "\(cell.method) with an expired token showed acme data \(cell.leaks)")
            }
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }
}
