package io.verigrid.ledger;

/**
 * One committed checkpoint unit: R_unit (hex), the commit height, the provider, and whether it is verified
 * ({@code verifiedBy}: {@code ATTEST:<address>} or {@code WINDOW}) and paid.
 */
public record UnitView(int unit, String root, long commitHeight, String provider, boolean verified, long paid,
                       long verifiedHeight, String verifiedBy) {}
