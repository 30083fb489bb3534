/// The `chunks` a completion carries to be stored with the reply (websocket §10.4). The hub's
/// JSON guard refuses a frame holding an array of more than 1,000 items (§3.3), and with the
/// frame the whole reply would be lost; a streamed answer easily has thousands of small text
/// chunks. So runs of plain text (or thinking) are merged — the stored reply reads the same —
/// and a list still too long keeps its beginning and its last chunk (an error or the workspace
/// status usually ends a reply).
enum StoredChunks {
    static let maxCount = 1000
    /// A merged chunk stays well under the hub's per-chunk bound (1,000,000 characters).
    static let maxMergedLength = 100_000
    static let mergeable: Set<String> = ["text", "thinking"]

    static func storable(_ chunks: [WireChunk]) -> [WireChunk] {
        var merged: [WireChunk] = []
        merged.reserveCapacity(min(chunks.count, maxCount))
        for chunk in chunks {
            if chunk.metadata == nil, mergeable.contains(chunk.type), let last = merged.last, last.type == chunk.type,
               last.metadata == nil, last.content.utf16.count + chunk.content.utf16.count <= maxMergedLength {
                merged[merged.count - 1].content += chunk.content
            } else {
                merged.append(chunk)
            }
        }
        guard merged.count > maxCount, let last = merged.last else { return merged }
        return Array(merged.prefix(maxCount - 1)) + [last]
    }
}
