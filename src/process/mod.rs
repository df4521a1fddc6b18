//! Child processes whose pipes and exit run on the ring.
