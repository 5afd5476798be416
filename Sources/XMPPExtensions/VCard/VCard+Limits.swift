extension VCard {
    /// Bounds on what reading a vCard may allocate.
    public struct Limits: Sendable, Hashable {
        /// The most bytes a PHOTO's BINVAL may decode to; a larger one is refused with
        /// ``VCardError/photoTooLarge(bytes:limit:)`` before any decoding.
        ///
        /// The default, 1 MiB, is far above what avatars use (XEP-0153 §4.6 asks for under 8 KB;
        /// XMPPKit's own profile photos stay under 64 KB) and matches the parser's default stanza
        /// limit (`XMLParserLimits.maxStanzaBytes`, 1 MiB): with default limits a larger photo cannot
        /// arrive at all, and an application that raises the parser's limit still decodes no more
        /// than this per photo unless it raises this one too.
        public var maxPhotoBytes: Int

        public init(maxPhotoBytes: Int = 1 << 20) {
            self.maxPhotoBytes = maxPhotoBytes
        }
    }
}
