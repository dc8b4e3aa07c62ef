extension EventLoop {
    /// Runs `work` with each item on its own loop (`loops[i]` with `items[i]`),
    /// one loop after another, and returns once every one has run.
    package static func onEach<Item: Sendable>(
        _ loops: [EventLoop], _ items: [Item], _ work: @escaping @Sendable (Item) -> Void
    ) async {
        for (loop, item) in zip(loops, items) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                loop.execute {
                    work(item)
                    continuation.resume()
                }
            }
        }
    }
}
