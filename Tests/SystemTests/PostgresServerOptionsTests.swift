import Testing

/// How the restart suites read back the options the test server was started with.
@Suite struct PostgresServerOptionsTests {
    @Test func serverOptionsKeepEveryRecordedArgumentButTheDataDirectory() {
        let recorded = #"/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/t/pg" "-p" "41234" "-k" "/tmp/t/pg" "-c" "listen_addresses=127.0.0.1" "-c" "fsync=off""#
            + "\n"
        #expect(PostgresServer.serverOptions(recorded) == [
            "-p", "41234", "-k", "/tmp/t/pg", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ])
    }

    @Test func serverOptionsOfAServerStartedWithoutArgumentsAreEmpty() {
        #expect(PostgresServer.serverOptions("/usr/lib/postgresql/15/bin/postgres \"-D\" \"/data\"\n").isEmpty)
        #expect(PostgresServer.serverOptions("").isEmpty)
    }
}
