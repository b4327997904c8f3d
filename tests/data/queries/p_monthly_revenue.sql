-- expect: between-timestamps
SELECT sum(total) AS revenue FROM orders WHERE created_at BETWEEN '2024-03-01' AND '2024-03-31' AND status = 'paid';
