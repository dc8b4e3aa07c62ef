/// The queueing rule of group commit, as a pure value: per key, at most one
/// batch is in flight; arrivals while it runs wait in order; when it finishes,
/// the next batch takes up to `maximumBatch` of them, first come first served.
///
/// `AuthorizationCoalescer` keeps one behind a lock and does what it answers.
struct CoalescingQueue<Key: Hashable, Element> {
    /// Most elements handed out as one batch.
    let maximumBatch: Int
    /// Keys with a batch in flight, and what waits behind it.
    private var waiting: [Key: [Element]] = [:]

    init(maximumBatch: Int) {
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Keys with a batch in flight.
    var busyKeys: Int { waiting.count }

    /// Records an arrival. Returns the batch to run now (just this element)
    /// when the key was idle; `nil` when the element waits behind a batch in flight.
    mutating func arrive(_ key: Key, _ element: Element) -> [Element]? {
        if waiting[key] != nil {
            waiting[key]?.append(element)
            return nil
        }
        waiting[key] = []
        return [element]
    }

    /// Records that the key's batch finished. Returns the next batch (the
    /// oldest waiting elements, at most `maximumBatch`), or `nil` when none
    /// wait, and the key becomes idle.
    mutating func finished(_ key: Key) -> [Element]? {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return nil
        }
        let batch = Array(queue.prefix(maximumBatch))
        queue.removeFirst(batch.count)
        waiting[key] = queue
        return batch
    }
}
