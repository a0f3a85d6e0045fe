-- Coupons. remaining_count >= 0 is the last line of defence for redeem, whose UPDATE already never takes a
-- coupon below zero; code limits match Features/Coupons/CouponRules.cs.
CREATE TABLE coupon (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Named, so the down part (and any later migration) can refer to it: the coupons seed's unnamed
    -- constraint made its downgrade fail.
    code text NOT NULL CONSTRAINT coupon_code_key UNIQUE
        CONSTRAINT coupon_code_length CHECK (char_length(code) BETWEEN 1 AND 64),
    init_count integer NOT NULL CONSTRAINT coupon_init_count_positive CHECK (init_count > 0),
    remaining_count integer NOT NULL CONSTRAINT coupon_remaining_count_not_negative CHECK (remaining_count >= 0),
    CONSTRAINT coupon_remaining_count_at_most_init_count CHECK (remaining_count <= init_count)
);

-- migrate:down
DROP TABLE coupon;
