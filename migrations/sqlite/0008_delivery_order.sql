-- Deliveries to one inbox go out in the order they were queued: a withdrawal must never
-- overtake the publication it withdraws. The claim looks for an earlier pending delivery
-- to the same inbox through this index.
create index deliveries_by_inbox on deliveries (inbox, id) where state = 'pending';
