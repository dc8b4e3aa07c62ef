import Foundation
import PurserTestSupport

/// Where the built `purser` and `purser-<service>` executables are: the build
/// directory holding this test bundle (`.build/debug`), else the checkout's
/// `.build/debug`. `deploy/dev test` builds them before running the tests.
enum Executables {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is not built: run the tests with `deploy/dev test` (it runs `swift build` first)" }
    }

    static func path(_ name: String) throws -> String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent(name).path]
        // An .xctest bundle directory sits inside the build directory.
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent(name).path)
        candidates.append(TestEnvironment.repositoryRoot() + "/.build/debug/\(name)")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw Missing(path: candidates.last ?? name)
    }
}
