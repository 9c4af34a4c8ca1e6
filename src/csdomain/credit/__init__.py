"""Customer credit (CRD-1…CRD-6): credit accounts and grades, the ledger of invoices,
payments and write-offs, the rolling credit line, shipment authorization, month-end
collection and bad-debt liability."""
