extension FaissIndex {
    /// faiss's class name for an index code (binary indexes' codes included): what `inspect` and messages print
    /// beside the code; nil for a code this table does not know.
    public static func typeName(code: String) -> String? { typeNames[code] }

    static let typeNames: [String: String] = [
        "IxF2": "IndexFlatL2", "IxFI": "IndexFlatIP", "IxFl": "IndexFlat", "IwFl": "IndexIVFFlat",
        "IvFl": "IndexIVFFlat (legacy layout)", "IvFL": "IndexIVFFlat (legacy layout)", "IwPQ": "IndexIVFPQ",
        "IwSq": "IndexIVFScalarQuantizer", "IwSQ": "IndexIVFScalarQuantizer", "IHNf": "IndexHNSWFlat",
        "IxMp": "IndexIDMap", "IxM2": "IndexIDMap2", "IwPf": "IndexIVFPQFastScan",
        "IHNp": "IndexHNSWPQ", "IHNs": "IndexHNSWSQ", "IxPq": "IndexPQ", "IxPQ": "IndexPQ (old format)",
        "IxPo": "IndexPQ (old format)", "IxSQ": "IndexScalarQuantizer", "IPfs": "IndexPQFastScan", "IxRF": "IndexRefine",
        "IxPT": "IndexPreTransform", "IBxF": "IndexBinaryFlat", "IBwF": "IndexBinaryIVF", "IBHf": "IndexBinaryHNSW",
        "IBMp": "IndexBinaryIDMap", "IBM2": "IndexBinaryIDMap2",
    ]
}
