CASE WHEN subs.currency <> $reporting_currency THEN
            CAST(
                subs.start_date + to_months(
                    subs.period_months * (
                        date_diff('month', subs.start_date, __PRICED_ON__) // subs.period_months
                        - CASE WHEN subs.start_date + to_months(
                                subs.period_months * (
                                    date_diff('month', subs.start_date, __PRICED_ON__)
                                    // subs.period_months)) > __PRICED_ON__
                            THEN 1 ELSE 0 END
                    )
                ) AS DATE)
        END
